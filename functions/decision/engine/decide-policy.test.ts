import { describe, expect, it } from 'vitest';
import { type DecideRequest, decideResponse } from '../../../contract/decide';
import type { Customer, CustomerPolicy } from '../../domain/customer';
import { compileSnapshot } from './compile-snapshot';
import { type DecideOptions, decide, routeOutbound } from './decide';
import { seededRandom } from './random';
import { ACME, baseIpbx, baseRequest, customer, DEFAULT, did, provider, route, uid } from './test-fixtures';

const now = Date.parse('2026-11-23T10:00:00Z');
const options: DecideOptions = { now, random: seededRandom(1), nonceSecret: 'test-nonce-secret-0123' };
const pA = provider(1, { limits: { max_concurrent_calls: 30, max_cps: null } });
const pB = provider(2, { health_check: { enabled: true, interval_s: 30, passive_down_after: 4 } });
const pC = provider(3);
const other = uid(4444);
const pbx = { ...baseIpbx, limits: { max_concurrent_calls: 5, max_cps: null } };
const pbxOther = {
  ...baseIpbx,
  id: uid(106),
  customer_id: other,
  allowed_sources: [{ cidr: '198.51.100.11' }],
};
const routes = [
  route({ provider_id: pA.id, target: '+82', priority: 1 }),
  route({ provider_id: pB.id, target: '+82', priority: 2 }),
  route({ customer_id: DEFAULT, provider_id: pC.id, target: 'all' }),
];

/** ACME's calls under `policy` (and `limits`), the default customer denying `operatorDeny`. */
function world(
  policy: Partial<CustomerPolicy> = {},
  limits?: Customer['limits'],
  operatorDeny: string[] = [],
) {
  return compileSnapshot({
    global: {
      ipbxs: [pbx, pbxOther],
      providers: [pA, pB, pC],
      dids: [
        did({ number: '+14155550100' }),
        did({ number: '+12125550199', customer_id: other, ipbx_id: pbxOther.id }),
      ],
      domains: [],
      profiles: [],
      customers: [
        customer(ACME, { policy, ...(limits ? { limits } : {}) }),
        customer(other),
        customer(DEFAULT, { policy: { destinations: { allow_prefixes: [], deny_prefixes: operatorDeny } } }),
      ],
    },
    routes,
  });
}

const call = (callee: string, caller = '+14155550100', over: Partial<DecideRequest> = {}): DecideRequest => ({
  ...baseRequest,
  request_uri: `sip:${callee}@relay.example`,
  from: `<sip:${caller}@pbx.acme.example>;tag=1`,
  ...over,
});
const run = (snapshot: ReturnType<typeof world>, request: DecideRequest) => {
  const decision = decide(request, snapshot, options);
  // Every answer stays inside the contract the relay checks.
  expect(decideResponse.safeParse(decision.response).success).toBe(true);
  return decision;
};
const providers = (r: ReturnType<typeof run>['response']) =>
  r.action === 'route' ? r.targets.map((t) => t.id) : [];

describe('decide: destination policy', () => {
  it('a denied prefix refuses the outbound call with 403, naming the prefix, with the call', () => {
    const { response } = run(
      world({ destinations: { allow_prefixes: [], deny_prefixes: ['+8210'] } }),
      call('+821012345678'),
    );
    expect(response).toEqual({
      action: 'reject',
      code: 403,
      reason: 'destination denied: +8210',
      call: {
        customer_id: ACME,
        direction: 'outbound',
        source_kind: 'ipbx',
        source_id: pbx.id,
        caller: '+14155550100',
        callee: '+821012345678',
      },
    });
  });

  it("the default customer's deny list refuses every customer's call", () => {
    const { response } = run(world({}, undefined, ['+82']), call('+821012345678'));
    expect(response).toMatchObject({
      action: 'reject',
      code: 403,
      reason: 'destination denied by operator: +82',
    });
  });

  it('an allow list that does not match refuses; one that matches routes', () => {
    const allowUs = world({ destinations: { allow_prefixes: ['+1'], deny_prefixes: [] } });
    expect(run(allowUs, call('+821012345678')).response).toMatchObject({
      code: 403,
      reason: 'destination not allowed',
    });
    const allowKorea = world({ destinations: { allow_prefixes: ['+82'], deny_prefixes: [] } });
    expect(providers(run(allowKorea, call('+821012345678')).response)).toEqual([pA.id, pB.id, pC.id]);
  });

  it('on-net calls (to a DID) are not outbound: destination rules do not apply', () => {
    const { response } = run(
      world({ destinations: { allow_prefixes: ['+82'], deny_prefixes: ['+1'] } }),
      call('+12125550199'),
    );
    expect(response).toMatchObject({
      action: 'route',
      call: { direction: 'onnet' },
      targets: [{ id: pbxOther.id }],
    });
  });
});

describe('decide: caller-ID policy', () => {
  const restricted = (over: Partial<CustomerPolicy['caller_id']> = {}) =>
    world({
      caller_id: {
        mode: 'restricted',
        allow_own_dids: true,
        allow_prefixes: [],
        on_violation: 'reject',
        replacement: null,
        ...over,
      },
    });

  it('its own DID passes', () => {
    expect(run(restricted(), call('+821012345678', '+14155550100')).response.action).toBe('route');
  });

  it('another number is refused, outbound and on-net alike', () => {
    for (const callee of ['+821012345678', '+12125550199']) {
      const { response } = run(restricted(), call(callee, '+4930123456'));
      expect(response).toMatchObject({
        action: 'reject',
        code: 403,
        reason: 'caller ID not allowed',
        call: { customer_id: ACME, caller: '+4930123456', callee },
      });
    }
  });

  it('replace: the targets write the replacement, P-Asserted-Identity included, and simulate learns it', () => {
    const decision = run(
      restricted({ on_violation: 'replace', replacement: '+14155550100' }),
      call('+821012345678', '+4930123456'),
    );
    const r = decision.response;
    if (r.action !== 'route') throw new Error('expected a route');
    expect(r.call.caller).toBe('+14155550100');
    for (const t of r.targets) {
      expect(t.caller).toBe('+14155550100');
      expect(t.headers['P-Asserted-Identity']).toMatch(/^<sip:\+14155550100@/);
    }
    expect(decision.explain.callerReplaced).toEqual({ original: '+4930123456', replacement: '+14155550100' });
  });

  it('replace keeps a withheld identity withheld', () => {
    const r = run(
      restricted({ on_violation: 'replace', replacement: '+14155550100' }),
      call('+821012345678', 'anonymous'),
    ).response;
    if (r.action !== 'route') throw new Error('expected a route');
    expect(r.targets[0]!.headers).toMatchObject({
      'P-Asserted-Identity': expect.stringContaining('+14155550100'),
      Privacy: 'id',
    });
  });
});

describe('decide: allowed providers', () => {
  it("routes to other providers are skipped as provider_not_allowed, the default customer's too", () => {
    const decision = run(world({ allowed_provider_ids: [pB.id] }), call('+821012345678'));
    expect(providers(decision.response)).toEqual([pB.id]);
    expect(decision.explain.skipped).toEqual([
      { route_id: routes[0]!.id, provider_id: pA.id, reason: 'provider_not_allowed' },
      { route_id: routes[2]!.id, provider_id: pC.id, reason: 'provider_not_allowed' },
    ]);
  });

  it('none allowed among the candidates: 404 no_route with the skips', () => {
    const decision = run(world({ allowed_provider_ids: [uid(299)] }), call('+821012345678'));
    expect(decision.response).toMatchObject({ action: 'reject', code: 404, reason: 'no_route' });
    expect(decision.explain.skipped.map((s) => s.reason)).toEqual([
      'provider_not_allowed',
      'provider_not_allowed',
      'provider_not_allowed',
    ]);
  });
});

describe('decide: what the answer carries for admission', () => {
  it("limits of the IPBX and the customer, the maximum duration, each provider target's own", () => {
    const r = run(
      world({ max_call_duration_s: 7200 }, { max_concurrent_calls: 50, max_cps: 2 }),
      call('+821012345678'),
    ).response;
    if (r.action !== 'route') throw new Error('expected a route');
    expect(r.limits).toEqual([
      { scope: 'ipbx', id: pbx.id, limits: { max_concurrent_calls: 5, max_cps: null } },
      { scope: 'customer', id: ACME, limits: { max_concurrent_calls: 50, max_cps: 2 } },
    ]);
    expect(r.max_duration_s).toBe(7200);
    const [a, b, c] = r.targets;
    expect(a).toMatchObject({ limits: { max_concurrent_calls: 30, max_cps: null } });
    expect(a).not.toHaveProperty('passive_down_after');
    expect(b).toMatchObject({ passive_down_after: 4 });
    expect(b).not.toHaveProperty('limits');
    expect(c).not.toHaveProperty('limits');
  });

  it('on-net: the caller side limits and duration; the IPBX target carries no limits', () => {
    const r = run(world({ max_call_duration_s: 60 }), call('+12125550199')).response;
    if (r.action !== 'route') throw new Error('expected a route');
    expect(r.limits).toEqual([
      { scope: 'ipbx', id: pbx.id, limits: { max_concurrent_calls: 5, max_cps: null } },
    ]);
    expect(r.max_duration_s).toBe(60);
    expect(r.targets[0]).not.toHaveProperty('limits');
  });

  it('inbound from a provider: no caller-side limits, no maximum duration, no target limits', () => {
    const carrier = provider(1, {
      limits: { max_concurrent_calls: 30, max_cps: null },
      allowed_sources: [{ cidr: '203.0.113.0/24' }],
    });
    const snapshot = compileSnapshot({
      global: {
        ipbxs: [pbx],
        providers: [carrier],
        dids: [did({ number: '+14155550100' })],
        domains: [],
        profiles: [],
        customers: [
          customer(ACME, {
            limits: { max_concurrent_calls: 1, max_cps: null },
            policy: { max_call_duration_s: 60 },
          }),
        ],
      },
      routes: [],
    });
    const r = run(
      snapshot,
      call('+14155550100', '+12125550100', { source: { ip: '203.0.113.5', port: 5060, transport: 'udp' } }),
    ).response;
    expect(r).toMatchObject({ action: 'route', call: { direction: 'inbound' }, targets: [{ kind: 'ipbx' }] });
    expect(r).not.toHaveProperty('limits');
    expect(r).not.toHaveProperty('max_duration_s');
    if (r.action === 'route') expect(r.targets[0]).not.toHaveProperty('limits');
  });

  it('nothing set: neither field is in the answer', () => {
    const plain = compileSnapshot({
      global: { ipbxs: [baseIpbx], providers: [pC], dids: [], domains: [], profiles: [] },
      routes: [route({ provider_id: pC.id })],
    });
    const r = run(plain, call('+821012345678')).response;
    expect(r.action).toBe('route');
    expect(r).not.toHaveProperty('limits');
    expect(r).not.toHaveProperty('max_duration_s');
  });
});

describe('decide: providers the relay holds down', () => {
  it('go after every other target, with provider_down in their reason', () => {
    const r = run(world(), call('+821012345678', '+14155550100', { down_providers: [pA.id] })).response;
    if (r.action !== 'route') throw new Error('expected a route');
    expect(r.targets.map((t) => t.id)).toEqual([pB.id, pC.id, pA.id]);
    expect(r.targets[2]!.reason).toMatch(/ provider_down$/);
    expect(r.targets[0]!.reason).not.toMatch(/provider_down/);
  });

  it("simulate's customer form gets them through the options", () => {
    const identity = {
      caller: '+14155550100',
      callee: '+821012345678',
      privacy: false,
      sourceMediaAnchor: false,
    };
    const r = routeOutbound(ACME, ACME, identity, world(), {
      ...options,
      downProviders: new Set([pB.id]),
    }).response;
    if (r.action !== 'route') throw new Error('expected a route');
    expect(r.targets.map((t) => t.id)).toEqual([pA.id, pC.id, pB.id]);
  });
});
