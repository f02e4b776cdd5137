import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CUSTOMER_ID } from '../../functions/domain';
import { createConfigReader } from '../../functions/store';
import { apiHarness } from './api-fixture';
import { create, makeRefs, type Refs, validBody, walk } from './world';

type H = Awaited<ReturnType<typeof apiHarness>>;

describe('uniqueness, references and atomic writes', () => {
  let h: H;
  let refs: Refs;
  const version = async (customerId: string) =>
    (await createConfigReader(h.store).configVersions([customerId]))[customerId];

  beforeAll(async () => {
    h = await apiHarness();
    refs = await makeRefs(h.call);
  });

  it.each([
    ['dids', 'number', '+14155550199', '+14155550198'],
    ['domains', 'name', 'taken.acme.example', 'free.acme.example'],
  ])(
    '%s: a second %s is 409 on create and on update, and nothing changes',
    async (path, field, taken, free) => {
      const other = await makeRefs(h.call, refs.providerId);
      const first = await create(h.call, path, { ...validBody[path]!(refs), [field]: taken });
      const second = await create(h.call, path, { ...validBody[path]!(other), [field]: free });
      const before = { mine: await version(refs.customerId), theirs: await version(other.customerId) };

      // Same value, another customer: taken system-wide.
      const dup = await h.call('POST', `/v1/${path}`, {
        body: { ...validBody[path]!(other), [field]: taken },
      });
      expect(dup.status).toBe(409);
      expect(dup.headers.get('content-type')).toBe('application/problem+json');
      expect(dup.body.detail).toContain(taken);
      const moved = await h.call('PATCH', `/v1/${path}/${second.id}`, { body: { [field]: taken } });
      expect(moved.status).toBe(409);

      expect((await h.call('GET', `/v1/${path}/${second.id}`)).body).toEqual(second);
      expect(
        (await walk(h.call, `/v1/${path}?customer_id=${other.customerId}`, 100)).map((o) => o.id),
      ).toEqual([second.id]);
      expect({ mine: await version(refs.customerId), theirs: await version(other.customerId) }).toEqual(
        before,
      );
      // The failed update kept the second object's own guard: its value is still taken.
      expect(
        (await h.call('POST', `/v1/${path}`, { body: { ...validBody[path]!(refs), [field]: free } })).status,
      ).toBe(409);

      // Changing the value frees the old one; deleting frees the new one.
      const renamed = field === 'number' ? '+14155550197' : 'renamed.acme.example';
      expect((await h.call('PATCH', `/v1/${path}/${first.id}`, { body: { [field]: renamed } })).status).toBe(
        200,
      );
      await create(h.call, path, { ...validBody[path]!(refs), [field]: taken });
      expect((await h.call('DELETE', `/v1/${path}/${first.id}`)).status).toBe(200);
      await create(h.call, path, { ...validBody[path]!(refs), [field]: renamed });
    },
  );

  it.each([
    ['providers', 'routes', (r: Refs) => r.providerId, 'still referenced by 1 route'],
    ['ipbxs', 'dids', (r: Refs) => r.ipbxId, 'still referenced by 1 did'],
    ['normalization-profiles', 'ipbxs', (r: Refs) => r.profileId, 'still referenced by 1 ipbx'],
  ])('deleting %s used by %s is 409 and changes nothing', async (path, user, idOf, message) => {
    const mine = await makeRefs(h.call);
    const target = idOf(mine);
    const using = user === 'ipbxs' ? { id: mine.ipbxId } : await create(h.call, user, validBody[user]!(mine));
    const before = await h.call('GET', `/v1/${path}/${target}`);
    const versions = { mine: await version(mine.customerId), global: await version(DEFAULT_CUSTOMER_ID) };

    const res = await h.call('DELETE', `/v1/${path}/${target}`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain(message);
    expect((await h.call('GET', `/v1/${path}/${target}`)).body).toEqual(before.body);
    expect({ mine: await version(mine.customerId), global: await version(DEFAULT_CUSTOMER_ID) }).toEqual(
      versions,
    );

    // Once the user is gone the delete goes through.
    if (user === 'ipbxs') {
      expect(
        (await h.call('PATCH', `/v1/ipbxs/${using.id}`, { body: { normalization_profile_id: null } })).status,
      ).toBe(200);
    } else {
      expect((await h.call('DELETE', `/v1/${user}/${using.id}`)).status).toBe(200);
    }
    expect((await h.call('DELETE', `/v1/${path}/${target}`)).status).toBe(200);
  });

  it('a customer with objects cannot be deleted; the count names what holds it', async () => {
    const mine = await makeRefs(h.call, refs.providerId);
    await create(h.call, 'routes', validBody['routes']!(mine));
    await create(h.call, 'routes', validBody['routes']!(mine));
    const res = await h.call('DELETE', `/v1/customers/${mine.customerId}`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/2 routes/);
    expect(res.body.detail).toMatch(/1 ipbx/);
  });

  it('an update that changes a reference moves the count', async () => {
    const p2 = await create(h.call, 'providers', validBody['providers']!(refs));
    const route = await create(h.call, 'routes', validBody['routes']!(refs));
    const p1 = await create(h.call, 'providers', validBody['providers']!(refs));
    expect((await h.call('PATCH', `/v1/routes/${route.id}`, { body: { provider_id: p1.id } })).status).toBe(
      200,
    );
    expect(
      (
        await h.call('PUT', `/v1/routes/${route.id}`, {
          body: { ...validBody['routes']!(refs), provider_id: p2.id },
        })
      ).status,
    ).toBe(200);
    expect((await h.call('DELETE', `/v1/providers/${p1.id}`)).status).toBe(200);
    expect((await h.call('DELETE', `/v1/providers/${p2.id}`)).status).toBe(409);
  });

  it('a DID may not point at another customer’s IPBX (400), and a failed create leaves no trace', async () => {
    const other = await makeRefs(h.call, refs.providerId);
    const before = await version(refs.customerId);
    const body = { ...validBody['dids']!(refs), ipbx_id: other.ipbxId };
    const res = await h.call('POST', '/v1/dids', { body });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('ipbx_id');
    expect(await version(refs.customerId)).toBe(before);
    // The number's guard was not left behind: the same number is free.
    await create(h.call, 'dids', { ...body, ipbx_id: refs.ipbxId });
    // The other customer's IPBX holds no reference: it can be deleted.
    expect((await h.call('DELETE', `/v1/ipbxs/${other.ipbxId}`)).status).toBe(200);
  });

  it('every write bumps the owner’s config version once; global objects bump the default customer', async () => {
    const mine = await makeRefs(h.call, refs.providerId);
    const start = await version(mine.customerId);
    const route = await create(h.call, 'routes', validBody['routes']!(mine));
    await h.call('PATCH', `/v1/routes/${route.id}`, { body: { priority: 3 } });
    await h.call('DELETE', `/v1/routes/${route.id}`);
    expect(await version(mine.customerId)).toBe(start! + 3);
    const global = await version(DEFAULT_CUSTOMER_ID);
    await create(h.call, 'providers', validBody['providers']!(mine));
    expect(await version(DEFAULT_CUSTOMER_ID)).toBe(global! + 1);
  });

  it('the default customer exists and cannot be deleted (409)', async () => {
    expect((await h.call('GET', `/v1/customers/${DEFAULT_CUSTOMER_ID}`)).status).toBe(200);
    const res = await h.call('DELETE', `/v1/customers/${DEFAULT_CUSTOMER_ID}`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('default customer');
    expect((await h.call('GET', `/v1/customers/${DEFAULT_CUSTOMER_ID}`)).status).toBe(200);
  });

  it('concurrent writes of one customer all land (the shared version counter retries)', async () => {
    const mine = await makeRefs(h.call, refs.providerId);
    const start = await version(mine.customerId);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => h.call('POST', '/v1/routes', { body: validBody['routes']!(mine) })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(await version(mine.customerId)).toBe(start! + 8);
  });
});
