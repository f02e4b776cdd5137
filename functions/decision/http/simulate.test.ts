import { describe, expect, it } from 'vitest';
import { compileSnapshot } from '../engine/compile-snapshot';
import { ACME, baseIpbx, customer, provider, route } from '../engine/test-fixtures';
import { simulate } from './simulate-route';

const [pA, pB] = [provider(1), provider(2)];
const snapshot = compileSnapshot({
  global: {
    ipbxs: [baseIpbx],
    providers: [pA, pB],
    dids: [],
    domains: [],
    profiles: [],
    customers: [customer(ACME, { policy: { max_call_duration_s: 90 } })],
  },
  routes: [route({ provider_id: pA.id, priority: 1 }), route({ provider_id: pB.id, priority: 2 })],
});
const deps = { nonceSecret: 'test-nonce-secret-0123' };
const now = Date.parse('2026-11-23T10:00:00Z');
const body = { customer_id: ACME, caller: '+12125550100', callee: '+821012345678' };
const order = (r: ReturnType<typeof simulate>) => r?.targets.map((t) => t.provider_id);

describe('simulate: providers held down', () => {
  it('none named or reported: the configured order', () => {
    expect(order(simulate(body, snapshot, deps, now, undefined))).toEqual([pA.id, pB.id]);
  });

  it("the request's down_providers and those reported down (the routing deps' seam) go last", () => {
    const named = simulate({ ...body, down_providers: [pA.id] }, snapshot, deps, now, undefined);
    expect(order(named)).toEqual([pB.id, pA.id]);
    expect(named?.targets[1]?.reason).toMatch(/ provider_down$/);
    const reported = simulate(body, snapshot, deps, now, undefined, [pA.id]);
    expect(order(reported)).toEqual([pB.id, pA.id]);
  });

  it("shows the customer's maximum duration", () => {
    expect(simulate(body, snapshot, deps, now, undefined)?.max_duration_s).toBe(90);
  });
});
