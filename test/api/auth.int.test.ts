import { beforeAll, describe, expect, it } from 'vitest';
import { createConfigReader, hashApiKey } from '../../functions/store';
import { apiHarness } from './api-fixture';
import { create, makeRefs, type Refs, validBody, walk } from './world';

type H = Awaited<ReturnType<typeof apiHarness>>;

describe('authentication, api keys and credentials', () => {
  let h: H;
  let refs: Refs;
  beforeAll(async () => {
    h = await apiHarness();
    refs = await makeRefs(h.call);
  });

  it.each([
    ['no header', null],
    ['an unknown customer key', 'tdm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a wrong admin key', 'test-admin-key-0123456780'],
  ])('%s → 401 problem', async (_what, key) => {
    const res = await h.call('GET', '/v1/customers', { key });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('the OpenAPI document, the docs and healthz need no key', async () => {
    for (const url of ['/v1/openapi.json', '/docs', '/healthz']) {
      expect((await h.call('GET', url, { key: null })).status, url).toBe(200);
    }
  });

  it('an api key is shown once, stored as its sha256, works until deleted', async () => {
    const created = await h.call('POST', '/v1/api-keys', {
      body: { customer_id: refs.customerId, name: 'ci' },
    });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^tdm_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({
      customer_id: refs.customerId,
      name: 'ci',
      key_prefix: key.slice(0, 8),
    });

    const got = await h.call('GET', `/v1/api-keys/${created.body.id}`);
    const listed = await walk(h.call, `/v1/api-keys?customer_id=${refs.customerId}`, 100);
    for (const shown of [JSON.stringify(got.body), JSON.stringify(listed)]) {
      expect(shown).not.toContain(key);
      expect(shown).not.toContain(hashApiKey(key));
    }
    expect(got.body).not.toHaveProperty('key');
    expect(got.body).not.toHaveProperty('key_hash');

    expect((await h.call('GET', '/v1/routes', { key })).status).toBe(200);
    // A customer key manages its own customer's keys, never another's.
    const other = await makeRefs(h.call, refs.providerId);
    expect(
      (await h.call('POST', '/v1/api-keys', { key, body: { customer_id: other.customerId } })).status,
    ).toBe(403);
    // Keys are never edited (rotate by creating a new one): the path has no PATCH.
    expect((await h.call('PATCH', `/v1/api-keys/${created.body.id}`, { body: { name: 'x' } })).status).toBe(
      405,
    );
    expect((await h.call('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(200);
    expect((await h.call('GET', '/v1/routes', { key })).status).toBe(401);
  });

  it('a customer with api keys cannot be deleted until they are', async () => {
    const mine = await create(h.call, 'customers', { name: 'with key' });
    const k = await create(h.call, 'api-keys', { customer_id: mine.id });
    expect((await h.call('DELETE', `/v1/customers/${mine.id}`)).body.detail).toContain('1 api key');
    expect((await h.call('DELETE', `/v1/api-keys/${k.id}`)).status).toBe(200);
    expect((await h.call('DELETE', `/v1/customers/${mine.id}`)).status).toBe(200);
  });

  it.each(['providers', 'ipbxs'])('%s: credentials are write-only, stored as HA1 only', async (path) => {
    const body = validBody[path]!(refs);
    const password = (body['credentials'] as { password: string }).password;
    const created = await create(h.call, path, body);
    const view = {
      username: (body['credentials'] as { username: string }).username,
      realm: expect.any(String),
    };
    expect(created.credentials).toEqual(view);
    const reader = createConfigReader(h.store);
    const stored = async () =>
      (await reader.listAll(path === 'providers' ? 'provider' : 'ipbx')).find((o) => o.id === created.id)!
        .credentials;
    const ha1 = await stored();
    expect(ha1).toEqual({
      ...view,
      ha1_md5: expect.stringMatching(/^[0-9a-f]{32}$/),
      ha1_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    // Absent in PATCH and PUT: kept.
    const patched = await h.call('PATCH', `/v1/${path}/${created.id}`, { body: { name: 'renamed' } });
    const { credentials: _c, ...withoutCredentials } = body;
    const put = await h.call('PUT', `/v1/${path}/${created.id}`, { body: withoutCredentials });
    expect(patched.body.credentials).toEqual(view);
    expect(put.body.credentials).toEqual(view);
    expect(await stored()).toEqual(ha1);

    // Every read: no password, no hash.
    const reads = [
      created,
      patched.body,
      put.body,
      (await h.call('GET', `/v1/${path}/${created.id}`)).body,
      await walk(h.call, `/v1/${path}`, 100),
    ].map((r) => JSON.stringify(r));
    for (const text of reads) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(ha1!.ha1_md5);
      expect(text).not.toContain('ha1');
    }

    // A new password changes the HA1; null removes the credentials.
    const changed = await h.call('PATCH', `/v1/${path}/${created.id}`, {
      body: { credentials: { ...(body['credentials'] as object), password: 'another' } },
    });
    expect(changed.status).toBe(200);
    expect((await stored())!.ha1_md5).not.toBe(ha1!.ha1_md5);
    const removed = await h.call('PATCH', `/v1/${path}/${created.id}`, { body: { credentials: null } });
    expect(removed.body.credentials).toBeNull();
    expect(await stored()).toBeNull();
  });

  it('HA1 follows RFC 7616: H(username:realm:password)', async () => {
    const created = await create(h.call, 'providers', {
      ...validBody['providers']!(refs),
      credentials: { username: 'Mufasa', realm: 'http-auth@example.org', password: 'Circle of Life' },
    });
    const stored = (await createConfigReader(h.store).listAll('provider')).find((p) => p.id === created.id)!;
    const { createHash } = await import('node:crypto');
    const a1 = 'Mufasa:http-auth@example.org:Circle of Life';
    expect(stored.credentials!.ha1_md5).toBe(createHash('md5').update(a1).digest('hex'));
    expect(stored.credentials!.ha1_sha256).toBe(createHash('sha256').update(a1).digest('hex'));
  });
});
