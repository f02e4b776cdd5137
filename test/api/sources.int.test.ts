import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { lazyGroup } from '../../functions/api/lazy-group';
import { sourceConflictRoutes } from '../../functions/api/source-conflict-routes';
import { ipbxInput, providerInput } from '../../functions/domain';
import { createConfigReader, objectItem, resources } from '../../functions/store';
import { apiHarness, type Json } from './api-fixture';
import { create } from './world';

type H = Awaited<ReturnType<typeof apiHarness>>;
type Source = { cidr: string; port?: number };

/**
 * Source ownership (docs/security.md), against DynamoDB Local: a
 * customer cannot take another customer's or a provider's source, only the
 * operator shares, customer keys write no wide sources, and concurrent writes
 * cannot both take one source.
 */
describe('allowed sources belong to one owner', () => {
  let h: H;
  let seq = 0;
  const customer = async (name: string) => {
    const c = await create(h.call, 'customers', { name });
    return { id: c.id as string, name, key: await h.customerKey(c.id) };
  };
  const credentials = (username: string, realm = 'hosted.example') => ({
    username,
    password: `${username}-pw`,
    realm,
  });
  const ipbx = (customerId: string, sources: Source[], extra: Record<string, unknown> = {}) => ({
    customer_id: customerId,
    name: `pbx ${++seq}`,
    hostname: 'pbx.example',
    allowed_sources: sources,
    ...extra,
  });
  const post = (path: string, body: unknown, key?: string) =>
    h.call('POST', `/v1/${path}`, { body, ...(key ? { key } : {}) });
  const version = async (customerId: string) =>
    (await createConfigReader(h.store).configVersions([customerId]))[customerId];

  let a: Awaited<ReturnType<typeof customer>>;
  let b: Awaited<ReturnType<typeof customer>>;
  let bPbx: Json;
  let carrier: Json;
  const conflicts = lazyGroup('/v1/source-conflicts', () => sourceConflictRoutes({ store: h.store }));

  beforeAll(async () => {
    h = await apiHarness();
    // The line app.ts is to get; mounted here before the app's first request (its matcher is built once).
    h.app.all(`${conflicts.prefix}/*`, conflicts.serve);
    a = await customer('Alpha Telecom');
    b = await customer('Bravo Hosting');
    bPbx = await create(h.call, 'ipbxs', ipbx(b.id, [{ cidr: '192.0.2.0/24', port: 5060 }]), b.key);
    carrier = await create(h.call, 'providers', {
      name: 'carrier',
      hostname: 'sip.carrier.example',
      allowed_sources: [{ cidr: '198.51.100.0/24' }],
    });
  });

  it.each([
    ['the same source', { cidr: '192.0.2.0/24', port: 5060 }],
    ['a range that covers it (any port)', { cidr: '192.0.0.0/16' }],
    ['a host inside it', { cidr: '192.0.2.7', port: 5060 }],
    ['a host inside it, any port', { cidr: '192.0.2.7' }],
  ])('a customer key cannot take %s of another customer: 409 that names no one', async (_what, source) => {
    const before = await version(a.id);
    const res = await post('ipbxs', ipbx(a.id, [{ cidr: '203.0.113.0/24' }, source]), a.key);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.errors).toEqual([
      { field: 'allowed_sources.1', message: 'overlaps a source owned by another customer' },
    ]);
    const text = JSON.stringify(res.body);
    for (const secret of [b.id, b.name, bPbx.id, bPbx.name]) expect(text).not.toContain(secret);
    expect(await version(a.id)).toBe(before);
    const listed = await h.call('GET', `/v1/ipbxs?customer_id=${a.id}`, { key: a.key });
    expect(listed.body.result.map((i: Json) => i.allowed_sources)).not.toContainEqual([
      { cidr: '203.0.113.0/24' },
      source,
    ]);
  });

  it('the same range on another port is another source; a customer may overlap its own IPBXs', async () => {
    await create(h.call, 'ipbxs', ipbx(a.id, [{ cidr: '192.0.2.0/24', port: 5070 }]), a.key);
    await create(h.call, 'ipbxs', ipbx(b.id, [{ cidr: '192.0.2.128/25', port: 5060 }]), b.key);
  });

  it('PUT and PATCH cannot move an IPBX onto another customer’s source, nor move it to that customer’s rival', async () => {
    const mine = await create(h.call, 'ipbxs', ipbx(a.id, [{ cidr: '203.0.113.64/26' }]), a.key);
    const patched = await h.call('PATCH', `/v1/ipbxs/${mine.id}`, {
      key: a.key,
      body: { allowed_sources: [{ cidr: '192.0.2.10' }] },
    });
    expect(patched.status).toBe(409);
    expect(patched.body.errors).toEqual([
      { field: 'allowed_sources.0', message: 'overlaps a source owned by another customer' },
    ]);
    const put = await h.call('PUT', `/v1/ipbxs/${mine.id}`, {
      key: a.key,
      body: ipbx(a.id, [{ cidr: '192.0.2.0/24' }]),
    });
    expect(put.status).toBe(409);
    expect((await h.call('GET', `/v1/ipbxs/${mine.id}`, { key: a.key })).body).toEqual(mine);
    // The operator moving B's IPBX to A would give A's source to B's range rival: refused the same way.
    const rival = await create(h.call, 'ipbxs', ipbx(a.id, [{ cidr: '203.0.113.200' }]));
    const moved = await h.call('PATCH', `/v1/ipbxs/${rival.id}`, {
      body: { customer_id: b.id, allowed_sources: [{ cidr: '203.0.113.64/26' }] },
    });
    expect(moved.status).toBe(409);
    expect(moved.body.detail).toContain(mine.id);
  });

  it('the operator is told which objects conflict; providers and IPBXs never share', async () => {
    const res = await post('ipbxs', ipbx(a.id, [{ cidr: '192.0.2.0/26' }]));
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([
      { field: 'allowed_sources.0', message: expect.stringContaining(`ipbx ${bPbx.id} of customer ${b.id}`) },
    ]);
    expect(res.body.detail).toContain(`ipbx ${bPbx.id}`);

    // A provider on an IPBX's source (any customer's): 409 naming it, for the operator.
    const provider = await post('providers', {
      name: 'p',
      hostname: 'sip.p.example',
      allowed_sources: [{ cidr: '192.0.2.0/28' }],
    });
    expect(provider.status).toBe(409);
    expect(provider.body.errors.map((e: Json) => e.field)).toContain('allowed_sources.0');
    expect(JSON.stringify(provider.body.errors)).toContain(bPbx.id);
    // An IPBX on a provider's source: 409 for a customer key, without the provider's id.
    const inCarrier = await post(
      'ipbxs',
      ipbx(a.id, [{ cidr: '198.51.100.9' }], { credentials: credentials('a9') }),
      a.key,
    );
    expect(inCarrier.status).toBe(409);
    expect(inCarrier.body.errors).toEqual([
      { field: 'allowed_sources.0', message: "overlaps a provider's source" },
    ]);
    expect(JSON.stringify(inCarrier.body)).not.toContain(carrier.id);
    // Two providers may overlap (the operator's own).
    await create(h.call, 'providers', {
      name: 'p2',
      hostname: 'sip.p2.example',
      allowed_sources: [{ cidr: '198.51.100.0/25' }],
    });
  });

  it('deleting an IPBX frees its source', async () => {
    const c = await customer('Charlie');
    const taken = await create(h.call, 'ipbxs', ipbx(c.id, [{ cidr: '100.64.1.0/24' }]), c.key);
    expect((await post('ipbxs', ipbx(a.id, [{ cidr: '100.64.1.1' }]), a.key)).status).toBe(409);
    expect((await h.call('DELETE', `/v1/ipbxs/${taken.id}`, { key: c.key })).status).toBe(200);
    await create(h.call, 'ipbxs', ipbx(a.id, [{ cidr: '100.64.1.1' }]), a.key);
  });

  describe('sharing, only by the operator and only with credentials', () => {
    const range = [{ cidr: '100.64.9.0/24' }];

    it('a customer key setting shared_source gets 403; keeping the operator’s true is fine', async () => {
      const res = await post(
        'ipbxs',
        ipbx(a.id, [{ cidr: '100.64.8.0/24' }], { shared_source: true }),
        a.key,
      );
      expect(res.status).toBe(403);
      expect(res.body.errors).toEqual([{ field: 'shared_source', message: expect.any(String) }]);
      const mine = await create(h.call, 'ipbxs', ipbx(a.id, [{ cidr: '100.64.8.0/24' }]), a.key);
      const patched = await h.call('PATCH', `/v1/ipbxs/${mine.id}`, {
        key: a.key,
        body: { shared_source: true },
      });
      expect(patched.status).toBe(403);
      expect((await h.call('PATCH', `/v1/ipbxs/${mine.id}`, { body: { shared_source: true } })).status).toBe(
        200,
      );
      const renamed = await h.call('PATCH', `/v1/ipbxs/${mine.id}`, {
        key: a.key,
        body: { name: 'renamed' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.shared_source).toBe(true);
    });

    it('both IPBXs shared, each with its own credentials: accepted; anything less: 409', async () => {
      const first = await create(
        h.call,
        'ipbxs',
        ipbx(b.id, range, { credentials: credentials('bob') }),
        b.key,
      );
      // Not shared yet on B's side.
      const early = await post(
        'ipbxs',
        ipbx(a.id, range, { shared_source: true, credentials: credentials('alice') }),
      );
      expect(early.status).toBe(409);
      expect(early.body.errors[0].message).toContain('shared_source');
      expect((await h.call('PATCH', `/v1/ipbxs/${first.id}`, { body: { shared_source: true } })).status).toBe(
        200,
      );

      const noCredentials = await post('ipbxs', ipbx(a.id, range, { shared_source: true }));
      expect(noCredentials.status).toBe(409);
      expect(noCredentials.body.errors[0].message).toContain('digest credentials');
      const sameCredentials = await post(
        'ipbxs',
        ipbx(a.id, range, { shared_source: true, credentials: credentials('bob') }),
      );
      expect(sameCredentials.status).toBe(409);
      expect(sameCredentials.body.errors[0].message).toContain('different digest credentials');

      const second = await create(
        h.call,
        'ipbxs',
        ipbx(a.id, range, { shared_source: true, credentials: credentials('alice') }),
      );
      expect(second.shared_source).toBe(true);
      // B cannot then drop its credentials or its sharing: the overlap would no longer be tellable.
      const dropped = await h.call('PATCH', `/v1/ipbxs/${first.id}`, {
        key: b.key,
        body: { credentials: null },
      });
      expect(dropped.status).toBe(409);
      expect(dropped.body.errors).toEqual([
        { field: 'allowed_sources.0', message: 'overlaps a source owned by another customer' },
      ]);
      const unshared = await h.call('PATCH', `/v1/ipbxs/${first.id}`, {
        key: b.key,
        body: { shared_source: false },
      });
      expect(unshared.status).toBe(409);
      // A third customer's key cannot join (sharing is the operator's).
      const c = await customer('Delta');
      expect(
        (await post('ipbxs', ipbx(c.id, range, { credentials: credentials('dan') }), c.key)).status,
      ).toBe(409);
    });
  });

  describe('width limits and catch-alls', () => {
    it.each([
      ['IPv4 wider than /8', '96.0.0.0/7'],
      ['IPv6 wider than /32', '2001:db8::/31'],
      ['an IPv4-mapped IPv6 range wider than /8', '::ffff:96.0.0.0/103'],
      ['a catch-all', '0.0.0.0/0'],
    ])('a customer key: %s → 400 naming the field', async (_what, cidr) => {
      const res = await post(
        'ipbxs',
        ipbx(a.id, [{ cidr: '100.64.20.0/24' }, { cidr }], { credentials: credentials('w') }),
        a.key,
      );
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: 'allowed_sources.1.cidr', message: expect.stringContaining('wider than') },
      ]);
    });

    it('the limits themselves are accepted from a customer key; the operator may go wider', async () => {
      await create(h.call, 'ipbxs', ipbx(a.id, [{ cidr: '20.0.0.0/8' }, { cidr: '2001:db8::/32' }]), a.key);
      const wide = await create(h.call, 'ipbxs', ipbx(a.id, [{ cidr: '22.0.0.0/7' }]));
      // A source the operator gave stays when the customer edits something else.
      expect(
        (await h.call('PATCH', `/v1/ipbxs/${wide.id}`, { key: a.key, body: { name: 'kept' } })).status,
      ).toBe(200);
      const widened = await h.call('PATCH', `/v1/ipbxs/${wide.id}`, {
        key: a.key,
        body: { allowed_sources: [{ cidr: '22.0.0.0/7' }, { cidr: '24.0.0.0/7' }] },
      });
      expect(widened.status).toBe(400);
      expect(widened.body.errors[0].field).toBe('allowed_sources.1.cidr');
    });

    it.each(['0.0.0.0/0', '::/0'])(
      'a catch-all (%s) needs credentials on the IPBX, for the operator too',
      async (cidr) => {
        const c = await customer(`catch-all ${cidr}`);
        const res = await post('ipbxs', ipbx(c.id, [{ cidr, port: 5099 }]));
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([
          { field: 'allowed_sources.0.cidr', message: expect.stringContaining('credentials') },
        ]);
      },
    );
  });

  it.each([
    ['ipbxs', '10.0.0.1/8', '10.0.0.0/8'],
    ['providers', '2001:db8::1/32', '2001:db8::/32'],
    ['providers', '198.51.100.77/24', '198.51.100.0/24'],
  ])('%s: a CIDR with host bits (%s) is refused with its network', async (path, cidr, network) => {
    const body =
      path === 'ipbxs'
        ? ipbx(a.id, [{ cidr }])
        : { name: 'p', hostname: 'sip.example', allowed_sources: [{ cidr: '192.0.2.1' }, { cidr }] };
    const res = await post(path, body);
    expect(res.status).toBe(400);
    const field = path === 'ipbxs' ? 'allowed_sources.0.cidr' : 'allowed_sources.1.cidr';
    expect(res.body.errors).toEqual([{ field, message: expect.stringContaining(`did you mean ${network}`) }]);
  });

  it('a source port over TCP or TLS is kept with a warning on every read; UDP and portless sources get none', async () => {
    const created = await post(
      'ipbxs',
      ipbx(a.id, [{ cidr: '203.0.113.77', port: 5080 }, { cidr: '203.0.113.78' }], { transport: 'tcp' }),
      a.key,
    );
    expect(created.status).toBe(201);
    expect(created.body.allowed_sources).toEqual([
      { cidr: '203.0.113.77', port: 5080 },
      { cidr: '203.0.113.78' },
    ]);
    expect(created.body.warnings).toEqual([
      { field: 'allowed_sources.0.port', message: expect.stringMatching(/over tcp .*port 5080/) },
    ]);
    const read = await h.call('GET', `/v1/ipbxs/${created.body.id}`, { key: a.key });
    expect(read.body.warnings).toEqual(created.body.warnings);
    // Moved to UDP, the same port is what the PBX sends from: no warning.
    const udp = await h.call('PATCH', `/v1/ipbxs/${created.body.id}`, {
      body: { transport: 'udp' },
      key: a.key,
    });
    expect(udp.status).toBe(200);
    expect(udp.body).not.toHaveProperty('warnings');
    const provider = await post('providers', {
      name: 'tls carrier',
      hostname: 'sip.tls-carrier.example',
      transport: 'tls',
      allowed_sources: [{ cidr: '198.18.0.9', port: 5061 }],
    });
    expect(provider.body.warnings).toEqual([
      { field: 'allowed_sources.0.port', message: expect.stringMatching(/over tls .*port 5061/) },
    ]);
  });

  it('concurrent creates of one source by different customers: exactly one lands', async () => {
    const rivals = await Promise.all(Array.from({ length: 5 }, (_, i) => customer(`rival ${i}`)));
    for (const [round, cidr] of ['100.65.0.0/24', '100.65.1.7', '2001:db9:65::/48'].entries()) {
      const results = await Promise.all(
        rivals.map((r, i) =>
          post('ipbxs', ipbx(r.id, [{ cidr: i % 2 === 0 ? cidr : cidr.replace(/\/\d+$/, '') }], {}), r.key),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses, `round ${round}`).toEqual([201, 409, 409, 409, 409]);
    }
    // Different sources at the same time all land (the registry's revision is retried, not refused).
    const disjoint = await Promise.all(
      rivals.map((r, i) => post('ipbxs', ipbx(r.id, [{ cidr: `100.66.${i}.0/24` }]), r.key)),
    );
    expect(disjoint.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
  });

  describe('data stored before the rule, and GET /v1/source-conflicts', () => {
    /** Writes an object as an older version did: its item only, no registry entry. */
    async function legacy(kind: 'ipbx' | 'provider', body: Record<string, unknown>) {
      const input = kind === 'ipbx' ? ipbxInput.parse(body) : providerInput.parse(body);
      const doc = {
        ...input,
        credentials: null,
        id: randomUUID(),
        tm_create: new Date().toISOString(),
        tm_update: null,
        tm_delete: null,
      };
      await h.store.doc.send(
        new PutCommand({ TableName: h.store.tableName, Item: objectItem(resources[kind], doc, 0) }),
      );
      return doc;
    }

    it('lists every conflicting pair for the operator, 403 for a customer key, and new writes see old data', async () => {
      const e = await customer('Echo');
      const f = await customer('Foxtrot');
      const wide = await legacy('ipbx', ipbx(e.id, [{ cidr: '100.70.0.0/16' }]));
      const host = await legacy('ipbx', ipbx(f.id, [{ cidr: '100.70.3.4', port: 5060 }]));
      const trunk = await legacy('provider', {
        name: 'old trunk',
        hostname: 'old.example',
        allowed_sources: [{ cidr: '100.70.3.0/24' }],
      });

      expect((await h.call('GET', '/v1/source-conflicts', { key: e.key })).status).toBe(403);
      const res = await h.call('GET', '/v1/source-conflicts');
      expect(res.status).toBe(200);
      expect(res.body.next_page_token).toBe('');
      const mine = res.body.result.filter(
        (p: Json) =>
          [wide.id, host.id, trunk.id].includes(p.a.id) || [wide.id, host.id, trunk.id].includes(p.b.id),
      );
      expect(mine).toEqual(
        expect.arrayContaining([
          {
            a: {
              kind: 'ipbx',
              id: wide.id,
              customer_id: e.id,
              field: 'allowed_sources.0',
              cidr: '100.70.0.0/16',
              port: null,
            },
            b: {
              kind: 'ipbx',
              id: host.id,
              customer_id: f.id,
              field: 'allowed_sources.0',
              cidr: '100.70.3.4',
              port: 5060,
            },
            reason: 'ipbx_of_another_customer',
            detail: expect.any(String),
          },
          {
            a: {
              kind: 'ipbx',
              id: wide.id,
              customer_id: e.id,
              field: 'allowed_sources.0',
              cidr: '100.70.0.0/16',
              port: null,
            },
            b: {
              kind: 'provider',
              id: trunk.id,
              customer_id: null,
              field: 'allowed_sources.0',
              cidr: '100.70.3.0/24',
              port: null,
            },
            reason: 'provider_and_ipbx',
            detail: expect.any(String),
          },
          {
            a: {
              kind: 'provider',
              id: trunk.id,
              customer_id: null,
              field: 'allowed_sources.0',
              cidr: '100.70.3.0/24',
              port: null,
            },
            b: {
              kind: 'ipbx',
              id: host.id,
              customer_id: f.id,
              field: 'allowed_sources.0',
              cidr: '100.70.3.4',
              port: 5060,
            },
            reason: 'provider_and_ipbx',
            detail: expect.any(String),
          },
        ]),
      );
      expect(mine).toHaveLength(3);
      // Everything the API let in is conflict-free: only the legacy pairs (and none of the API's shared pair).
      expect(res.body.result).toHaveLength(3);
      // Pages of one.
      const first = await h.call('GET', '/v1/source-conflicts?page_size=1');
      expect(first.body.result).toEqual([res.body.result[0]]);
      const second = await h.call(
        'GET',
        `/v1/source-conflicts?page_size=1&page_token=${first.body.next_page_token}`,
      );
      expect(second.body.result).toEqual([res.body.result[1]]);
      expect((await h.call('GET', '/v1/source-conflicts?page_token=nope')).status).toBe(400);

      // A new write overlapping old data is refused; an unrelated edit of the old objects is not.
      expect((await post('ipbxs', ipbx(a.id, [{ cidr: '100.70.9.9' }]), a.key)).status).toBe(409);
      expect(
        (await h.call('PATCH', `/v1/ipbxs/${host.id}`, { key: f.key, body: { name: 'renamed' } })).status,
      ).toBe(200);
      const grown = await h.call('PATCH', `/v1/ipbxs/${host.id}`, {
        key: f.key,
        body: { allowed_sources: [{ cidr: '100.70.3.4', port: 5060 }, { cidr: '100.70.5.0/24' }] },
      });
      expect(grown.status).toBe(409);
      expect(grown.body.errors.map((e: Json) => e.field)).toEqual(['allowed_sources.1']);
    });
  });
});
