import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candidatesForNewCall, hashCallId, instanceKey, isUp, markDown, markUp } from './instance-pool';

const keys = ['10.0.0.1:2223', '10.0.0.2:2223', '10.0.0.3:2223'];
const now = 1_000_000;

describe('instanceKey', () => {
  it('brackets IPv6 hosts', () => {
    expect(instanceKey({ host: '10.0.0.1', port: 2223 })).toBe('10.0.0.1:2223');
    expect(instanceKey({ host: '::1', port: 2223 })).toBe('[::1]:2223');
  });
});

describe('candidatesForNewCall', () => {
  it('tries every up instance once, the same order for the same call-id', () => {
    fc.assert(
      fc.property(fc.string(), (callId) => {
        const order = candidatesForNewCall(keys, callId, new Map(), now);
        expect([...order].sort()).toEqual([...keys].sort());
        expect(candidatesForNewCall(keys, callId, new Map(), now)).toEqual(order);
      }),
    );
  });

  it('spreads new calls over the instances', () => {
    const firsts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const first = candidatesForNewCall(keys, `call-${i}@relay`, new Map(), now)[0]!;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    for (const key of keys) expect(firsts.get(key)).toBeGreaterThan(60);
  });

  it('leaves a down instance out until its time is over', () => {
    const down = markDown(new Map(), keys[1]!, now, 5_000);
    expect(candidatesForNewCall(keys, 'x', down, now)).not.toContain(keys[1]);
    expect(candidatesForNewCall(keys, 'x', down, now + 5_000)).toContain(keys[1]);
    expect(isUp(markUp(down, keys[1]!), keys[1]!, now)).toBe(true);
  });

  it('returns nothing when no instance is configured or all are down', () => {
    expect(candidatesForNewCall([], 'x', new Map(), now)).toEqual([]);
    const allDown = keys.reduce((m, k) => markDown(m, k, now, 1_000), new Map<string, number>());
    expect(candidatesForNewCall(keys, 'x', allDown, now)).toEqual([]);
  });
});

describe('hashCallId', () => {
  it('is a stable unsigned 32-bit value', () => {
    expect(hashCallId('abc')).toBe(hashCallId('abc'));
    expect(hashCallId('abc')).toBeGreaterThanOrEqual(0);
    expect(hashCallId('abc')).toBeLessThan(2 ** 32);
  });
});
