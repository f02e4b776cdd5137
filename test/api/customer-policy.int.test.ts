import { beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, type Json } from './api-fixture';
import { create, validBody } from './world';

type H = Awaited<ReturnType<typeof apiHarness>>;
const DEFAULT_CUSTOMER = '00000000-0000-0000-0000-000000000001';
const fields = (body: Json) => (body.errors ?? []).map((e: { field: string }) => e.field);

const noPolicy = {
  destinations: { allow_prefixes: [], deny_prefixes: [] },
  allowed_provider_ids: [],
  caller_id: {
    mode: 'any',
    allow_own_dids: true,
    allow_prefixes: [],
    on_violation: 'reject',
    replacement: null,
  },
  max_call_duration_s: null,
};

describe('customer limits and fraud policy through the API (DynamoDB Local)', () => {
  let h: H;
  let providerId: string;
  beforeAll(async () => {
    h = await apiHarness();
    providerId = (await create(h.call, 'providers', validBody['providers']!({} as never))).id;
  });

  it('a customer created without them has no limits and a policy that changes nothing', async () => {
    const created = await create(h.call, 'customers', { name: 'plain' });
    expect(created.limits).toEqual({ max_concurrent_calls: null, max_cps: null });
    expect(created.policy).toEqual(noPolicy);
  });

  it('stores limits and a policy, and shows them on GET', async () => {
    const policy = {
      destinations: { allow_prefixes: ['+1', '+4420'], deny_prefixes: ['+1900'] },
      allowed_provider_ids: [providerId],
      caller_id: {
        mode: 'restricted',
        allow_own_dids: true,
        allow_prefixes: ['+1212555'],
        on_violation: 'replace',
        replacement: '+12125550100',
      },
      max_call_duration_s: 3600,
    };
    const limits = { max_concurrent_calls: 20, max_cps: 2.5 };
    const created = await create(h.call, 'customers', { name: 'guarded', limits, policy });
    const read = await h.call('GET', `/v1/customers/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ limits, policy });
  });

  it('PATCH replaces the policy as a whole, filling in the parts left out', async () => {
    const created = await create(h.call, 'customers', {
      name: 'patched',
      policy: { max_call_duration_s: 60 },
    });
    const res = await h.call('PATCH', `/v1/customers/${created.id}`, {
      body: { policy: { destinations: { deny_prefixes: ['+881'] } } },
    });
    expect(res.status).toBe(200);
    expect(res.body.policy).toEqual({
      ...noPolicy,
      destinations: { allow_prefixes: [], deny_prefixes: ['+881'] },
    });
  });

  it.each([
    [{ limits: { max_concurrent_calls: 0 } }, 'limits.max_concurrent_calls'],
    [{ limits: { max_cps: -1 } }, 'limits.max_cps'],
    [{ policy: { destinations: { deny_prefixes: ['881'] } } }, 'policy.destinations.deny_prefixes.0'],
    [{ policy: { destinations: { allow_prefixes: '+1' } } }, 'policy.destinations.allow_prefixes'],
    [{ policy: { allowed_provider_ids: ['not-an-id'] } }, 'policy.allowed_provider_ids.0'],
    [{ policy: { caller_id: { mode: 'nobody' } } }, 'policy.caller_id.mode'],
    [{ policy: { caller_id: { on_violation: 'replace' } } }, 'policy.caller_id.replacement'],
    [
      { policy: { caller_id: { on_violation: 'replace', replacement: '+999' } } },
      'policy.caller_id.replacement',
    ],
    [{ policy: { max_call_duration_s: 0 } }, 'policy.max_call_duration_s'],
    [{ policy: { bogus: true } }, 'policy.bogus'],
  ])('%j → 400 naming %s', async (change, field) => {
    const res = await h.call('POST', '/v1/customers', { body: { name: 'bad', ...change } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(fields(res.body)).toContain(field);
  });

  it('an allowed provider must exist (400 naming the field), and cannot be deleted while named (409)', async () => {
    const missing = '3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10';
    const refused = await h.call('POST', '/v1/customers', {
      body: { name: 'ghost', policy: { allowed_provider_ids: [providerId, missing] } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { field: 'policy.allowed_provider_ids', message: `provider ${missing} does not exist` },
    ]);

    const carrier = (await create(h.call, 'providers', validBody['providers']!({} as never))).id;
    const customer = await create(h.call, 'customers', {
      name: 'bound',
      policy: { allowed_provider_ids: [carrier] },
    });
    const blocked = await h.call('DELETE', `/v1/providers/${carrier}`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toMatch(/referenced by 1 customer/);
    // Dropping it from the policy releases it.
    const patched = await h.call('PATCH', `/v1/customers/${customer.id}`, { body: { policy: {} } });
    expect(patched.status).toBe(200);
    expect((await h.call('DELETE', `/v1/providers/${carrier}`)).status).toBe(200);
  });

  it('customer keys read their policy but cannot change it', async () => {
    const customer = await create(h.call, 'customers', {
      name: 'tenant',
      policy: { destinations: { deny_prefixes: ['+881'] } },
    });
    const key = await h.customerKey(customer.id);
    const read = await h.call('GET', `/v1/customers/${customer.id}`, { key });
    expect(read.body.policy.destinations.deny_prefixes).toEqual(['+881']);
    const lift = await h.call('PATCH', `/v1/customers/${customer.id}`, { key, body: { policy: {} } });
    expect(lift.status).toBe(403);
  });

  it('the default customer (stored without them) reads with the defaults, and takes the operator-wide deny list', async () => {
    const before = await h.call('GET', `/v1/customers/${DEFAULT_CUSTOMER}`);
    expect(before.body).toMatchObject({
      limits: { max_concurrent_calls: null, max_cps: null },
      policy: noPolicy,
    });
    const res = await h.call('PATCH', `/v1/customers/${DEFAULT_CUSTOMER}`, {
      body: { policy: { destinations: { deny_prefixes: ['+881', '+882'] } } },
    });
    expect(res.status).toBe(200);
    expect(res.body.policy.destinations.deny_prefixes).toEqual(['+881', '+882']);
  });

  it('the OpenAPI document describes them', async () => {
    const doc = (await h.call('GET', '/v1/openapi.json')).body;
    const input = doc.components.schemas.CustomerInput;
    expect(Object.keys(input.properties)).toEqual(expect.arrayContaining(['limits', 'policy']));
    const policy = doc.components.schemas.CustomerPolicy;
    expect(Object.keys(policy.properties).sort()).toEqual([
      'allowed_provider_ids',
      'caller_id',
      'destinations',
      'max_call_duration_s',
    ]);
    expect(doc.components.schemas.CallerIdPolicy.properties.on_violation.enum).toEqual(['reject', 'replace']);
  });
});
