import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPrefixTable, longestPrefix } from './prefix-table';

describe('prefix table', () => {
  const table = buildPrefixTable([
    { prefix: '+82', value: 0.02 },
    { prefix: '+8210', value: 0.05 },
    { prefix: '+1', value: 0.01 },
    { prefix: '+1800', value: 0 },
    { prefix: '+0', value: 9 },
    { prefix: '+00', value: 8 },
    { prefix: '+82', value: 0.03 },
  ]);

  it.each([
    ['+821012345678', '+8210', 0.05],
    ['+82212345678', '+82', 0.03],
    ['+18005550100', '+1800', 0],
    ['+12125550100', '+1', 0.01],
    ['+0012', '+00', 8],
    ['+0123', '+0', 9],
  ])('%s → %s', (n, prefix, value) => expect(longestPrefix(table, n)).toEqual({ prefix, value }));

  it('answers undefined when nothing matches and counts unique prefixes', () => {
    expect(longestPrefix(table, '+44201234567')).toBeUndefined();
    expect(table.size).toBe(6);
  });

  it('agrees with a naive scan (property)', () => {
    const prefix = fc.stringMatching(/^\+[0-9]{1,6}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(prefix, fc.double({ min: 0, max: 10, noNaN: true })), { maxLength: 60 }),
        fc.stringMatching(/^\+[0-9]{1,12}$/),
        (entries, n) => {
          const t = buildPrefixTable(entries.map(([p, v]) => ({ prefix: p, value: v })));
          const naive = new Map(entries);
          let best: { prefix: string; value: number } | undefined;
          for (const [p, v] of naive)
            if (n.startsWith(p) && (!best || p.length > best.prefix.length)) best = { prefix: p, value: v };
          expect(longestPrefix(t, n)).toEqual(best);
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });
});
