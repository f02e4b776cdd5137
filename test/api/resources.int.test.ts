import { beforeAll, describe, expect, it } from 'vitest';
import { apiHarness } from './api-fixture';
import { create, makeRefs, type Refs, validBody, walk } from './world';

type H = Awaited<ReturnType<typeof apiHarness>>;

/** Per resource: a full replacement and a one-field patch to apply in the round trip. */
const cases: { path: string; replace: Record<string, unknown>; patch: Record<string, unknown> }[] = [
  { path: 'customers', replace: { name: 'renamed', detail: 'new detail' }, patch: { detail: 'patched' } },
  {
    path: 'providers',
    replace: { name: 'renamed', hostname: '2001:db8::1', transport: 'tls' },
    patch: { port: 5061 },
  },
  { path: 'ipbxs', replace: { name: 'renamed', hostname: 'pbx.acme.example' }, patch: { enabled: false } },
  { path: 'dids', replace: { number: '+14155559999', range: false }, patch: { name: 'main line' } },
  { path: 'domains', replace: { name: 'Renamed.Acme.Example' }, patch: { detail: 'patched' } },
  {
    path: 'normalization-profiles',
    replace: { name: 'renamed', country_code: '1' },
    patch: { national_prefix: '1' },
  },
  { path: 'routes', replace: { target: 'all', priority: 5 }, patch: { weight: 7 } },
];

describe('every resource', () => {
  let h: H;
  let refs: Refs;
  let other: Refs;
  let otherKey: string;
  beforeAll(async () => {
    h = await apiHarness();
    refs = await makeRefs(h.call);
    other = await makeRefs(h.call, refs.providerId);
    otherKey = await h.customerKey(other.customerId);
  });

  describe.each(cases)('$path', ({ path, replace, patch }) => {
    it('create / get / list / put / patch / delete round trip', async () => {
      const body = validBody[path]!(refs);
      const created = await create(h.call, path, body);
      expect(created).toMatchObject({
        id: expect.any(String),
        tm_create: expect.any(String),
        tm_update: null,
      });
      expect((await h.call('GET', `/v1/${path}/${created.id}`)).body).toEqual(created);

      const listed = await walk(
        h.call,
        `/v1/${path}${'customer_id' in body ? `?customer_id=${refs.customerId}` : ''}`,
        100,
      );
      expect(listed).toContainEqual(created);

      const put = await h.call('PUT', `/v1/${path}/${created.id}`, { body: { ...body, ...replace } });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const expectedReplace = path === 'domains' ? { name: 'renamed.acme.example' } : replace;
      expect(put.body).toMatchObject({ ...expectedReplace, id: created.id, tm_create: created.tm_create });
      expect(put.body.tm_update).toEqual(expect.any(String));

      const patched = await h.call('PATCH', `/v1/${path}/${created.id}`, { body: patch });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body).toEqual({ ...put.body, ...patch, tm_update: expect.any(String) });
      expect((await h.call('GET', `/v1/${path}/${created.id}`)).body).toEqual(patched.body);

      const deleted = await h.call('DELETE', `/v1/${path}/${created.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body.id).toBe(created.id);
      expect((await h.call('GET', `/v1/${path}/${created.id}`)).status).toBe(404);
      expect((await h.call('DELETE', `/v1/${path}/${created.id}`)).status).toBe(404);
      expect((await h.call('PATCH', `/v1/${path}/${created.id}`, { body: patch })).status).toBe(404);
    });

    it('pagination walks all pages with no duplicate or gap', async () => {
      const mine = await makeRefs(h.call, refs.providerId);
      const made: string[] = [];
      for (let i = 0; i < 9; i++) made.push((await create(h.call, path, validBody[path]!(mine))).id);
      const scoped = 'customer_id' in validBody[path]!(mine) ? `?customer_id=${mine.customerId}` : '';
      const seen = (await walk(h.call, `/v1/${path}${scoped}`, 4)).map((o) => o.id);
      expect(seen).toEqual(expect.arrayContaining(made));
      // makeRefs made one profile and one IPBX for this customer too.
      const setup =
        { ipbxs: [mine.ipbxId], 'normalization-profiles': [mine.profileId] }[path as string] ?? [];
      if (scoped) expect(seen.sort()).toEqual([...made, ...setup].sort());
    });
  });

  describe.each(cases.filter((c) => !['customers', 'providers'].includes(c.path)))(
    '$path: customer isolation',
    ({ path, patch }) => {
      it("another customer's object answers 404, creating one for another customer 403", async () => {
        const theirs = await create(h.call, path, validBody[path]!(refs));
        const asOther = { key: otherKey };
        expect((await h.call('GET', `/v1/${path}/${theirs.id}`, asOther)).status).toBe(404);
        expect((await h.call('PATCH', `/v1/${path}/${theirs.id}`, { ...asOther, body: patch })).status).toBe(
          404,
        );
        expect(
          (await h.call('PUT', `/v1/${path}/${theirs.id}`, { ...asOther, body: validBody[path]!(other) }))
            .status,
        ).toBe(404);
        expect((await h.call('DELETE', `/v1/${path}/${theirs.id}`, asOther)).status).toBe(404);
        const listed = await walk(h.call, `/v1/${path}`, 100, otherKey);
        expect(listed.map((o) => o.id)).not.toContain(theirs.id);
        expect(listed.every((o) => o.customer_id === other.customerId)).toBe(true);
        expect((await walk(h.call, `/v1/${path}?customer_id=${refs.customerId}`, 100, otherKey)).length).toBe(
          0,
        );
        expect(
          (await h.call('POST', `/v1/${path}`, { ...asOther, body: validBody[path]!(refs) })).status,
        ).toBe(403);

        // Its own objects: full access; moving one to another customer: 403.
        const own = await create(h.call, path, validBody[path]!(other), otherKey);
        expect((await h.call('GET', `/v1/${path}/${own.id}`, asOther)).status).toBe(200);
        const moved = await h.call('PATCH', `/v1/${path}/${own.id}`, {
          ...asOther,
          body: { customer_id: refs.customerId },
        });
        expect(moved.status).toBe(403);
        expect((await h.call('PATCH', `/v1/${path}/${own.id}`, { ...asOther, body: patch })).status).toBe(
          200,
        );
        expect((await h.call('DELETE', `/v1/${path}/${own.id}`, asOther)).status).toBe(200);
      });
    },
  );

  it('customers: a customer key reads only its own customer and cannot create, change or delete', async () => {
    const asOther = { key: otherKey };
    expect((await h.call('GET', `/v1/customers/${other.customerId}`, asOther)).status).toBe(200);
    expect((await h.call('GET', `/v1/customers/${refs.customerId}`, asOther)).status).toBe(404);
    expect((await h.call('GET', '/v1/customers', asOther)).body).toEqual({
      result: [expect.objectContaining({ id: other.customerId })],
      next_page_token: '',
    });
    expect((await h.call('POST', '/v1/customers', { ...asOther, body: { name: 'x' } })).status).toBe(403);
    expect(
      (await h.call('PATCH', `/v1/customers/${other.customerId}`, { ...asOther, body: { name: 'x' } }))
        .status,
    ).toBe(403);
    expect((await h.call('DELETE', `/v1/customers/${other.customerId}`, asOther)).status).toBe(403);
    expect((await h.call('DELETE', `/v1/customers/${refs.customerId}`, asOther)).status).toBe(404);
  });

  it('providers: customer keys may read but not write', async () => {
    const asOther = { key: otherKey };
    expect((await h.call('GET', `/v1/providers/${refs.providerId}`, asOther)).status).toBe(200);
    expect((await walk(h.call, '/v1/providers', 100, otherKey)).map((p) => p.id)).toContain(refs.providerId);
    const body = validBody['providers']!(refs);
    expect((await h.call('POST', '/v1/providers', { ...asOther, body })).status).toBe(403);
    expect((await h.call('PUT', `/v1/providers/${refs.providerId}`, { ...asOther, body })).status).toBe(403);
    expect(
      (await h.call('PATCH', `/v1/providers/${refs.providerId}`, { ...asOther, body: { port: 1 } })).status,
    ).toBe(403);
    expect((await h.call('DELETE', `/v1/providers/${refs.providerId}`, asOther)).status).toBe(403);
  });

  it('routes: 250 routes walk in pages of 7, with and without the target filter', async () => {
    const mine = await makeRefs(h.call, refs.providerId);
    const made: { id: string; target: string }[] = [];
    for (let i = 0; i < 250; i++) {
      const target = i % 2 === 0 ? '+82' : 'all';
      made.push(await create(h.call, 'routes', { ...validBody['routes']!(mine), target }));
    }
    const all = await walk(h.call, `/v1/routes?customer_id=${mine.customerId}`, 7);
    expect(all.map((r) => r.id).sort()).toEqual(made.map((r) => r.id).sort());
    const korea = await walk(h.call, `/v1/routes?customer_id=${mine.customerId}&target=%2B82`, 7);
    expect(korea.map((r) => r.id).sort()).toEqual(
      made
        .filter((r) => r.target === '+82')
        .map((r) => r.id)
        .sort(),
    );
    // An unencoded + reads as a space in a query string; it still means +82.
    expect((await walk(h.call, `/v1/routes?customer_id=${mine.customerId}&target=+82`, 100)).length).toBe(
      125,
    );
  }, 60_000);

  it('filters: dids by number, domains by name (case-insensitive), routes by provider_id', async () => {
    const did = await create(h.call, 'dids', validBody['dids']!(refs));
    await create(h.call, 'dids', validBody['dids']!(refs));
    expect(
      (await walk(h.call, `/v1/dids?number=${encodeURIComponent(did.number)}`, 100)).map((d) => d.id),
    ).toEqual([did.id]);
    const domain = await create(h.call, 'domains', validBody['domains']!(refs));
    expect(
      (await walk(h.call, `/v1/domains?name=${domain.name.toUpperCase()}`, 100)).map((d) => d.id),
    ).toEqual([domain.id]);
    const provider = await create(h.call, 'providers', validBody['providers']!(refs));
    const route = await create(h.call, 'routes', { ...validBody['routes']!(refs), provider_id: provider.id });
    expect((await walk(h.call, `/v1/routes?provider_id=${provider.id}`, 100)).map((r) => r.id)).toEqual([
      route.id,
    ]);
  });
});
