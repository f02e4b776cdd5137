import { describe, expect, it } from 'vitest';
import { createMemoryCounters } from './memory-admission';
import { gcra, rateShape } from './rate-shape';

const limits = (max_concurrent_calls: number | null, max_cps: number | null = null) => ({
  max_concurrent_calls,
  max_cps,
});

describe('gcra', () => {
  it('lets max_cps calls a second through over a long run, and one call of slack', () => {
    const shape = rateShape(10);
    let tat = 0;
    let passed = 0;
    // 40 calls a second for 10 s against a limit of 10 a second.
    for (let us = 0; us < 10_000_000; us += 25_000) {
      const r = gcra(tat, us, shape);
      if (r.allowed) {
        passed += 1;
        tat = r.tat;
      }
    }
    expect(passed).toBeGreaterThanOrEqual(100);
    expect(passed).toBeLessThanOrEqual(101);
  });

  it('refuses a burst beyond the slack', () => {
    const shape = rateShape(1);
    const a = gcra(0, 0, shape);
    const b = gcra(a.tat, 0, shape);
    const c = gcra(b.tat, 0, shape);
    expect([a.allowed, b.allowed, c.allowed]).toEqual([true, true, false]);
  });
});

describe('memory counters', () => {
  it('holds max_concurrent_calls per scope and gives leases back', () => {
    const counters = createMemoryCounters();
    const scope = [{ key: 'provider:p', limits: limits(2) }];
    expect(counters.admit('a', scope, 1, 0)).toBeUndefined();
    expect(counters.admit('b', scope, 1, 0)).toBeUndefined();
    expect(counters.admit('c', scope, 1, 0)).toEqual({ key: 'provider:p', limit: 'max_concurrent_calls' });
    counters.release('a', ['provider:p']);
    expect(counters.admit('c', scope, 1, 0)).toBeUndefined();
  });

  it('takes all scopes or none: a refusal in the second leaves the first untouched', () => {
    const counters = createMemoryCounters();
    const ipbx = { key: 'ipbx:i', limits: limits(1) };
    const customer = { key: 'customer:c', limits: limits(1) };
    expect(counters.admit('a', [customer], 1, 0)).toBeUndefined();
    expect(counters.admit('b', [ipbx, customer], 1, 0)).toEqual({
      key: 'customer:c',
      limit: 'max_concurrent_calls',
    });
    expect(counters.admit('c', [ipbx], 1, 0)).toBeUndefined();
  });

  it('counts leases held elsewhere, and a share of the limit applies on its own counts', () => {
    const counters = createMemoryCounters();
    counters.hold('a', ['provider:p']);
    const scope = [{ key: 'provider:p', limits: limits(4) }];
    expect(counters.admit('b', scope, 0.5, 0)).toBeUndefined();
    expect(counters.admit('c', scope, 0.5, 0)).toEqual({ key: 'provider:p', limit: 'max_concurrent_calls' });
  });

  it('refuses a call over max_cps without taking its lease', () => {
    const counters = createMemoryCounters();
    const scope = [{ key: 'ipbx:i', limits: limits(10, 1) }];
    expect(counters.admit('a', scope, 1, 0)).toBeUndefined();
    expect(counters.admit('b', scope, 1, 0)).toBeUndefined();
    expect(counters.admit('c', scope, 1, 0)).toEqual({ key: 'ipbx:i', limit: 'max_cps' });
    expect(counters.admit('d', scope, 1, 2_000_000)).toBeUndefined();
  });
});

describe('rate shape', () => {
  it('takes calls that arrive in the same millisecond while the rate holds', () => {
    const shape = rateShape(100_000);
    let tat = 0;
    let passed = 0;
    // 10 calls in one millisecond against 100,000 a second.
    for (let i = 0; i < 10; i++) {
      const r = gcra(tat, 5_000, shape);
      if (r.allowed) {
        passed += 1;
        tat = r.tat;
      }
    }
    expect(passed).toBe(10);
  });
});
