import { beforeAll, describe, expect, it } from 'vitest';
import { rateLineOf } from '../../functions/billing/rate-line.fixture';
import { createConfigReader, currentDeckVersion, keys, queryAll } from '../../functions/store';
import { apiHarness } from './api-fixture';
import { create, makeRefs, type Refs, validBody, walk } from './world';

type H = Awaited<ReturnType<typeof apiHarness>>;

const MISSING = '3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10';

describe('rate plans', () => {
  let h: H;
  let refs: Refs;
  const importCsv = (query: string, csv: string, key?: string) =>
    h.call('POST', `/v1/rates?${query}`, { raw: csv, contentType: 'text/csv', ...(key ? { key } : {}) });

  beforeAll(async () => {
    h = await apiHarness();
    refs = await makeRefs(h.call);
  });

  it('CRUD: currency defaults to USD, must be ISO 4217; only the operator writes', async () => {
    const plain = await create(h.call, 'rate-plans', { name: 'retail' });
    expect(plain).toEqual({
      id: expect.any(String),
      name: 'retail',
      detail: '',
      currency: 'USD',
      tm_create: expect.any(String),
      tm_update: null,
      tm_delete: null,
    });
    const bad = await h.call('POST', '/v1/rate-plans', { body: { name: 'x', currency: 'euro' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['currency']);

    const patched = await h.call('PATCH', `/v1/rate-plans/${plain.id}`, { body: { currency: 'EUR' } });
    expect(patched.status).toBe(200);
    expect(patched.body.currency).toBe('EUR');
    expect((await h.call('GET', `/v1/rate-plans/${plain.id}`)).body.currency).toBe('EUR');
    const listed = await walk(h.call, '/v1/rate-plans', 100);
    expect(listed.map((p) => p.id)).toContain(plain.id);

    const key = await h.customerKey(refs.customerId);
    expect((await h.call('POST', '/v1/rate-plans', { key, body: { name: 'mine' } })).status).toBe(403);
    expect((await h.call('PATCH', `/v1/rate-plans/${plain.id}`, { key, body: { name: 'y' } })).status).toBe(
      403,
    );
    expect((await h.call('DELETE', `/v1/rate-plans/${plain.id}`, { key })).status).toBe(403);
    expect((await h.call('DELETE', `/v1/rate-plans/${plain.id}`)).status).toBe(200);
    expect((await h.call('GET', `/v1/rate-plans/${plain.id}`)).status).toBe(404);
  });

  it("a customer key reads only its own customer's plan: the list holds it alone, any other plan is a 404", async () => {
    const mine = await create(h.call, 'rate-plans', { name: 'mine' });
    const theirs = await create(h.call, 'rate-plans', { name: 'theirs' });
    const customer = await create(h.call, 'customers', { name: 'priced', rate_plan_id: mine.id });
    const key = await h.customerKey(customer.id);

    const list = await h.call('GET', '/v1/rate-plans', { key });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ result: [mine], next_page_token: '' });
    expect((await h.call('GET', `/v1/rate-plans/${mine.id}`, { key })).body).toEqual(mine);
    const other = await h.call('GET', `/v1/rate-plans/${theirs.id}`, { key });
    expect(other.status).toBe(404);
    expect(other.body.detail).toBe(`rate plan ${theirs.id} does not exist`);
    expect((await h.call('GET', `/v1/rate-plans/${MISSING}`, { key })).status).toBe(404);
    // The operator still reads them all.
    const all = (await walk(h.call, '/v1/rate-plans', 100)).map((p) => p.id);
    expect(all).toEqual(expect.arrayContaining([mine.id, theirs.id]));

    // A customer without a plan reads none.
    const bare = await h.customerKey(refs.customerId);
    expect((await h.call('GET', '/v1/rate-plans', { key: bare })).body).toEqual({
      result: [],
      next_page_token: '',
    });
    expect((await h.call('GET', `/v1/rate-plans/${mine.id}`, { key: bare })).status).toBe(404);
    // Moved to another plan, the key reads that one instead.
    expect(
      (await h.call('PATCH', `/v1/customers/${customer.id}`, { body: { rate_plan_id: theirs.id } })).status,
    ).toBe(200);
    expect(
      (await h.call('GET', '/v1/rate-plans', { key })).body.result.map((p: { id: string }) => p.id),
    ).toEqual([theirs.id]);
    expect((await h.call('GET', `/v1/rate-plans/${mine.id}`, { key })).status).toBe(404);
  });

  it('providers have a currency, USD by default', async () => {
    const provider = await create(h.call, 'providers', validBody['providers']!(refs));
    expect(provider.currency).toBe('USD');
    const eur = await create(h.call, 'providers', { ...validBody['providers']!(refs), currency: 'EUR' });
    expect(eur.currency).toBe('EUR');
    const bad = await h.call('POST', '/v1/providers', {
      body: { ...validBody['providers']!(refs), currency: 'usd' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['currency']);
  });

  it("imports and lists a plan's deck with rate_plan_id; exactly one of provider_id and rate_plan_id", async () => {
    const plan = await create(h.call, 'rate-plans', validBody['rate-plans']!(refs));
    const res = await importCsv(
      `rate_plan_id=${plan.id}`,
      '+4420,0.015,0.02,30,6\n+4420,0.02,0.02,30,6,0,2027-01-01T00:00:00Z\n+44,0.01\n',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      imported: 3,
      provider_id: null,
      rate_plan_id: plan.id,
      deck_version: expect.any(String),
    });
    const listed = await h.call('GET', `/v1/rates?rate_plan_id=${plan.id}&prefix=%2B4420`);
    expect(listed.status).toBe(200);
    expect(listed.body.result).toEqual([
      {
        ...rateLineOf('+4420', '0.015', { connect_fee: '0.02', first_increment_s: 30, next_increment_s: 6 }),
        provider_id: null,
        rate_plan_id: plan.id,
      },
      expect.objectContaining({ rate: '0.02', effective_from: '2027-01-01T00:00:00.000Z' }),
    ]);
    expect(await createConfigReader(h.store).rateDeck(plan.id, 'rate_plan')).toHaveLength(3);
    // The plan's deck is not a provider's.
    expect(await createConfigReader(h.store).rateDeck(plan.id)).toEqual([]);

    const both = await importCsv(`rate_plan_id=${plan.id}&provider_id=${refs.providerId}`, '+1,1\n');
    expect(both.status).toBe(400);
    expect(both.body.errors[0].field).toBe('rate_plan_id');
    const listBoth = await h.call('GET', `/v1/rates?rate_plan_id=${plan.id}&provider_id=${refs.providerId}`);
    expect(listBoth.status).toBe(400);
    expect(listBoth.body.errors[0].field).toBe('rate_plan_id');
    expect((await importCsv(`rate_plan_id=${MISSING}`, '+1,1\n')).status).toBe(404);
    expect((await h.call('GET', `/v1/rates?rate_plan_id=${MISSING}`)).status).toBe(404);
    expect((await importCsv('rate_plan_id=not-an-id', '+1,1\n')).body.errors[0].field).toBe('rate_plan_id');
    const key = await h.customerKey(refs.customerId);
    expect((await importCsv(`rate_plan_id=${plan.id}`, '+1,1\n', key)).status).toBe(403);
    expect((await h.call('GET', `/v1/rates?rate_plan_id=${plan.id}`, { key })).status).toBe(403);
  });

  it('a customer names its plan (a counted reference): a missing plan is a 400 naming rate_plan_id; the plan cannot be deleted while named', async () => {
    const plan = await create(h.call, 'rate-plans', validBody['rate-plans']!(refs));
    const { deck_version } = (await importCsv(`rate_plan_id=${plan.id}`, '+82,0.1\n')).body;

    const missing = await h.call('POST', '/v1/customers', { body: { name: 'ghost', rate_plan_id: MISSING } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: 'rate_plan_id', message: `rate plan ${MISSING} does not exist` },
    ]);
    const plain = await create(h.call, 'customers', validBody['customers']!(refs));
    expect(plain.rate_plan_id).toBeNull();
    const patchMissing = await h.call('PATCH', `/v1/customers/${plain.id}`, {
      body: { rate_plan_id: MISSING },
    });
    expect(patchMissing.status).toBe(400);
    expect(patchMissing.body.errors[0].field).toBe('rate_plan_id');

    const a = await create(h.call, 'customers', { ...validBody['customers']!(refs), rate_plan_id: plan.id });
    expect(a.rate_plan_id).toBe(plan.id);
    const b = await h.call('PATCH', `/v1/customers/${plain.id}`, { body: { rate_plan_id: plan.id } });
    expect(b.status).toBe(200);

    const refused = await h.call('DELETE', `/v1/rate-plans/${plan.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe(`rate plan ${plan.id} is still referenced by 2 customers`);

    expect(
      (await h.call('PATCH', `/v1/customers/${plain.id}`, { body: { rate_plan_id: null } })).status,
    ).toBe(200);
    expect((await h.call('DELETE', `/v1/customers/${a.id}`)).status).toBe(200);
    // Deleting the plan drops its deck.
    const deckItems = () => queryAll(h.store, { partition: keys.rateDeck(plan.id, deck_version) });
    expect((await deckItems()).length).toBe(1);
    expect((await h.call('DELETE', `/v1/rate-plans/${plan.id}`)).status).toBe(200);
    expect(await deckItems()).toEqual([]);
    expect(await currentDeckVersion(h.store, plan.id, 'rate_plan')).toBeNull();
  });

  it('simulate: a route excluding negative margins skips a provider dearer than the plan from its scheduled change on', async () => {
    const plan = await create(h.call, 'rate-plans', { name: 'sell', currency: 'USD' });
    await importCsv(`rate_plan_id=${plan.id}`, '+82,0.05\n');
    const customer = await create(h.call, 'customers', { name: 'margins', rate_plan_id: plan.id });
    const cheap = await create(h.call, 'providers', validBody['providers']!(refs));
    const dear = await create(h.call, 'providers', validBody['providers']!(refs));
    await importCsv(`provider_id=${cheap.id}`, '+82,0.02\n');
    await importCsv(`provider_id=${dear.id}`, '+82,0.04\n+82,0.06,0,60,60,0,2027-01-01T00:00:00Z\n');
    for (const provider of [cheap, dear]) {
      await create(h.call, 'routes', {
        customer_id: customer.id,
        provider_id: provider.id,
        target: '+82',
        lcr: true,
        exclude_negative_margin: true,
      });
    }
    const simulate = (at: string) =>
      h.call('POST', '/v1/routing/simulate', {
        body: { customer_id: customer.id, caller: '+12125550100', callee: '+821012345678', at },
      });
    const before = await simulate('2026-12-31T23:59:59Z');
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body.targets.map((t: { provider_id: string }) => t.provider_id)).toEqual([
      cheap.id,
      dear.id,
    ]);
    expect(before.body.targets[1].reason).toContain('rate=0.04@+82 margin=0.01');
    expect(before.body.skipped).toEqual([]);

    const after = await simulate('2027-01-01T00:00:00Z');
    expect(after.body.targets.map((t: { provider_id: string }) => t.provider_id)).toEqual([cheap.id]);
    expect(after.body.skipped).toEqual([
      { route_id: expect.any(String), provider_id: dear.id, reason: 'negative_margin' },
    ]);
  });
});
