import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decideResponse } from '../../contract/decide';
import { apiHarness, type Json } from '../api/api-fixture';
import { create } from '../api/world';

const RELAY = 'tdm_relay_admission_0123456789';
const DEFAULT_CUSTOMER = '00000000-0000-0000-0000-000000000001';

type H = Awaited<ReturnType<typeof apiHarness>>;
let h: H;
const ids: Record<string, string> = {};

const simulate = (body: Record<string, unknown>) =>
  h.call('POST', '/v1/routing/simulate', { body: { at: '2026-11-23T10:00:00Z', ...body } });
const decide = (over: Record<string, unknown> = {}) =>
  h.call('POST', '/v1/routing/decide', {
    key: RELAY,
    body: {
      call_id: `call-${randomBytes(4).toString('hex')}`,
      source: { ip: '198.51.100.10', port: 5060, transport: 'udp' },
      request_uri: 'sip:+821012345678@relay.example',
      from: '<sip:+14155550100@pbx.acme.example>;tag=1',
      to: '<sip:+821012345678@relay.example>',
      ...over,
    },
  });
const targetIds = (body: Json) => body.targets.map((t: Json) => t.provider_id ?? t.id);

beforeAll(async () => {
  h = await apiHarness({ decision: { relayToken: RELAY, nonceSecret: 'nonce-secret-admission' } });
  const provider = async (name: string, extra: Record<string, unknown> = {}) =>
    (await create(h.call, 'providers', { name, hostname: `sip.${name}.example`, ...extra })).id as string;
  ids.a = await provider('a', { limits: { max_concurrent_calls: 30, max_cps: null } });
  ids.b = await provider('b');
  ids.c = await provider('c', { health_check: { enabled: true, interval_s: 30 } });
  ids.acme = (
    await create(h.call, 'customers', {
      name: 'acme',
      limits: { max_concurrent_calls: 100, max_cps: 5 },
      policy: {
        destinations: { deny_prefixes: ['+8299'] },
        allowed_provider_ids: [ids.a, ids.c],
        max_call_duration_s: 1800,
      },
    })
  ).id;
  ids.pbx = (
    await create(h.call, 'ipbxs', {
      customer_id: ids.acme,
      name: 'pbx',
      hostname: 'pbx.acme.example',
      allowed_sources: [{ cidr: '198.51.100.0/24' }],
      limits: { max_concurrent_calls: 10, max_cps: null },
    })
  ).id;
  await create(h.call, 'dids', { customer_id: ids.acme, number: '+14155550100', ipbx_id: ids.pbx });
  ids.r1 = (
    await create(h.call, 'routes', { customer_id: ids.acme, provider_id: ids.a, target: '+82', priority: 1 })
  ).id;
  ids.r2 = (
    await create(h.call, 'routes', { customer_id: ids.acme, provider_id: ids.b, target: '+82', priority: 2 })
  ).id;
  ids.r3 = (
    await create(h.call, 'routes', { customer_id: DEFAULT_CUSTOMER, provider_id: ids.c, target: 'all' })
  ).id;
  // The operator-wide deny list: the default customer's.
  const operator = await h.call('PATCH', `/v1/customers/${DEFAULT_CUSTOMER}`, {
    body: { policy: { destinations: { deny_prefixes: ['+881'] } } },
  });
  expect(operator.status).toBe(200);
  ids.strict = (
    await create(h.call, 'customers', {
      name: 'strict',
      policy: {
        caller_id: { mode: 'restricted', on_violation: 'replace', replacement: '+12125550100' },
      },
    })
  ).id;
});

describe('simulate shows the customer policy', () => {
  it("a denied destination: 403 and the rule's prefix", async () => {
    const res = await simulate({ customer_id: ids.acme, caller: '+14155550100', callee: '+829912345678' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      action: 'reject',
      code: 403,
      reason: 'destination denied: +8299',
      targets: [],
      skipped: [],
    });
  });

  it("the default customer's deny list refuses every customer's calls", async () => {
    for (const customer_id of [ids.acme, ids.strict]) {
      const res = await simulate({ customer_id, caller: '+14155550100', callee: '+881612345678' });
      expect(res.body).toMatchObject({
        action: 'reject',
        code: 403,
        reason: 'destination denied by operator: +881',
      });
    }
  });

  it('skips providers the policy does not allow, and shows limits and the maximum duration', async () => {
    const res = await simulate({ customer_id: ids.acme, caller: '+14155550100', callee: '+821012345678' });
    expect(res.body.action).toBe('route');
    expect(targetIds(res.body)).toEqual([ids.a, ids.c]);
    expect(res.body.skipped).toEqual([
      { route_id: ids.r2, provider_id: ids.b, reason: 'provider_not_allowed' },
    ]);
    expect(res.body.max_duration_s).toBe(1800);
    // The customer form has no IPBX: the customer's limits only.
    expect(res.body.limits).toEqual([
      { scope: 'customer', id: ids.acme, limits: { max_concurrent_calls: 100, max_cps: 5 } },
    ]);
    expect(res.body.targets[0].limits).toEqual({ max_concurrent_calls: 30, max_cps: null });
    expect(res.body.targets[1].passive_down_after).toBe(3);
  });

  it('a replaced caller', async () => {
    const res = await simulate({ customer_id: ids.strict, caller: '+4930123456', callee: '+821012345678' });
    expect(res.body.action).toBe('route');
    expect(res.body.caller_replaced).toEqual({ original: '+4930123456', replacement: '+12125550100' });
    expect(res.body.call.caller).toBe('+12125550100');
    expect(res.body.targets[0].caller).toBe('+12125550100');
  });

  it('down_providers: ordered last with provider_down, in both forms', async () => {
    const byCustomer = await simulate({
      customer_id: ids.acme,
      caller: '+14155550100',
      callee: '+821012345678',
      down_providers: [ids.a],
    });
    expect(targetIds(byCustomer.body)).toEqual([ids.c, ids.a]);
    expect(byCustomer.body.targets[1].reason).toMatch(/ provider_down$/);
    const bySource = await simulate({
      source: { ip: '198.51.100.10' },
      caller: '+14155550100',
      callee: '+821012345678',
      down_providers: [ids.a],
    });
    expect(targetIds(bySource.body)).toEqual([ids.c, ids.a]);
    expect(
      (await simulate({ customer_id: ids.acme, caller: '+1', callee: '+82', down_providers: ['x'] })).status,
    ).toBe(400);
  });
});

describe('decide answers with what the relay admits the call by', () => {
  it('limits of the IPBX and the customer, the maximum duration, provider limits and passive health', async () => {
    const res = await decide();
    expect(res.status).toBe(200);
    expect(decideResponse.parse(res.body)).toBeTruthy();
    expect(res.body.limits).toEqual([
      { scope: 'ipbx', id: ids.pbx, limits: { max_concurrent_calls: 10, max_cps: null } },
      { scope: 'customer', id: ids.acme, limits: { max_concurrent_calls: 100, max_cps: 5 } },
    ]);
    expect(res.body.max_duration_s).toBe(1800);
    expect(res.body.targets.map((t: Json) => [t.id, t.limits, t.passive_down_after])).toEqual([
      [ids.a, { max_concurrent_calls: 30, max_cps: null }, undefined],
      [ids.c, undefined, 3],
    ]);
  });

  it("orders the relay's down providers last", async () => {
    const res = await decide({ down_providers: [ids.a] });
    expect(res.body.targets.map((t: Json) => t.id)).toEqual([ids.c, ids.a]);
    expect(res.body.targets[1].reason).toMatch(/ provider_down$/);
  });

  it('refuses a denied destination with 403 and the call, for its record', async () => {
    const res = await decide({ request_uri: 'sip:+829912345678@relay.example' });
    expect(res.body).toEqual({
      action: 'reject',
      code: 403,
      reason: 'destination denied: +8299',
      call: {
        customer_id: ids.acme,
        direction: 'outbound',
        source_kind: 'ipbx',
        source_id: ids.pbx,
        caller: '+14155550100',
        callee: '+829912345678',
      },
    });
  });

  it('a policy change is seen by the next decision', async () => {
    const patched = await h.call('PATCH', `/v1/customers/${ids.acme}`, {
      body: { policy: { allowed_provider_ids: [] } },
    });
    expect(patched.status).toBe(200);
    const res = await decide();
    expect(res.body.targets.map((t: Json) => t.id)).toEqual([ids.a, ids.b, ids.c]);
    expect(res.body).not.toHaveProperty('max_duration_s');
  });
});
