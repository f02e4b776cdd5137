import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourcesOverlap } from '../domain/source-range';
import {
  allConflicts,
  catchAllErrors,
  clash,
  conflictsOf,
  holderOf,
  type SourceHolder,
  sourceConflictError,
} from './sources';
import type { Doc } from './write-ops';

const A = 'a0000000-0000-4000-8000-00000000000a';
const B = 'b0000000-0000-4000-8000-00000000000b';
const holder = (over: Partial<SourceHolder> & Pick<SourceHolder, 'id'>): SourceHolder => ({
  kind: 'ipbx',
  customer_id: A,
  shared: false,
  identity: null,
  sources: [],
  ...over,
});

describe('source ownership rule', () => {
  const ipbxA = holder({ id: 'ia', identity: 'r\na', shared: true });
  const ipbxB = holder({ id: 'ib', customer_id: B, identity: 'r\nb', shared: true });
  it.each([
    [
      'two providers (the operator’s own)',
      holder({ id: 'p1', kind: 'provider', customer_id: null }),
      holder({ id: 'p2', kind: 'provider', customer_id: null }),
      undefined,
    ],
    [
      'a provider and an IPBX',
      holder({ id: 'p1', kind: 'provider', customer_id: null }),
      ipbxA,
      'provider_and_ipbx',
    ],
    ['IPBXs of one customer', holder({ id: 'x' }), holder({ id: 'y' }), undefined],
    ['another customer, not shared', holder({ id: 'x' }), ipbxB, 'ipbx_of_another_customer'],
    [
      'both shared, one without credentials',
      { ...ipbxA, identity: null },
      ipbxB,
      'shared_without_credentials',
    ],
    ['both shared, same credentials', ipbxA, { ...ipbxB, identity: 'r\na' }, 'shared_with_same_credentials'],
    ['both shared with their own credentials', ipbxA, ipbxB, undefined],
  ] as const)('%s → %s', (_what, a, b, reason) => {
    expect(clash(a, b)).toBe(reason);
    expect(clash(b, a)).toBe(reason);
  });

  it('holders read IPBX and provider docs: customer, sharing, digest identity, sources without empty ports', () => {
    const doc = {
      id: 'i',
      tm_create: 't',
      customer_id: A,
      shared_source: true,
      credentials: { username: 'u', realm: 'r', ha1_md5: 'x', ha1_sha256: 'y' },
      allowed_sources: [{ cidr: '192.0.2.0/24' }, { cidr: '192.0.2.1', port: 5060 }],
    } as Doc;
    expect(holderOf('ipbx', doc)).toEqual({
      kind: 'ipbx',
      id: 'i',
      customer_id: A,
      shared: true,
      identity: 'r\nu',
      sources: [{ cidr: '192.0.2.0/24' }, { cidr: '192.0.2.1', port: 5060 }],
    });
    // Providers never share and are identified by address only.
    expect(holderOf('provider', doc)).toMatchObject({ customer_id: null, shared: false, identity: null });
  });

  it('conflicts name the source of each side; 409 for customers names no one, for the operator every object', () => {
    const mine = holder({ id: 'mine', sources: [{ cidr: '10.0.0.0/8' }, { cidr: '192.0.2.7', port: 5060 }] });
    const theirs = holder({ id: 'theirs', customer_id: B, sources: [{ cidr: '192.0.2.0/24', port: 5060 }] });
    const trunk = holder({
      id: 'trunk',
      kind: 'provider',
      customer_id: null,
      sources: [{ cidr: '10.1.0.0/16' }],
    });
    const found = conflictsOf(mine, [theirs, trunk, mine]);
    expect(found.map((c) => [c.index, c.other.id, c.reason])).toEqual([
      [0, 'trunk', 'provider_and_ipbx'],
      [1, 'theirs', 'ipbx_of_another_customer'],
    ]);
    const error = sourceConflictError(mine, found);
    expect(error.status).toBe(409);
    expect(error.errors).toEqual([
      { field: 'allowed_sources.0', message: "overlaps a provider's source" },
      { field: 'allowed_sources.1', message: 'overlaps a source owned by another customer' },
    ]);
    expect(JSON.stringify([error.detail, error.errors])).not.toMatch(/theirs|trunk|b0000000/);
    expect(error.forOperator.errors![1]!.message).toContain(`ipbx theirs of customer ${B}`);
    expect(error.forOperator.detail).toContain('provider trunk');
  });

  it('a catch-all needs credentials, unless the IPBX already had it without (stored before the rule)', () => {
    const doc = (over: Record<string, unknown>) =>
      ({ id: 'i', tm_create: 't', customer_id: A, credentials: null, ...over }) as Doc;
    const wide = doc({ allowed_sources: [{ cidr: '192.0.2.0/24' }, { cidr: '::/0' }] });
    expect(catchAllErrors('ipbx', undefined, wide)).toEqual([
      { field: 'allowed_sources.1.cidr', message: expect.stringContaining('credentials') },
    ]);
    expect(
      catchAllErrors('ipbx', undefined, { ...wide, credentials: { realm: 'r', username: 'u' } }),
    ).toEqual([]);
    expect(catchAllErrors('ipbx', wide, { ...wide, name: 'renamed' })).toEqual([]);
    expect(
      catchAllErrors('ipbx', undefined, doc({ allowed_sources: [{ cidr: '::ffff:0.0.0.0/96' }] })),
    ).toHaveLength(1);
  });
});

describe('allConflicts against a brute force (property)', () => {
  const cidr = fc.constantFrom(
    '0.0.0.0/0',
    '10.0.0.0/8',
    '10.0.0.0/24',
    '10.0.0.128/25',
    '10.0.0.7',
    '10.0.1.0/24',
    '::ffff:10.0.0.0/104',
    '2001:db8::/32',
    '2001:db8::7',
    '::/0',
  );
  const arbHolder = fc.record({
    id: fc.uuid(),
    kind: fc.constantFrom('ipbx', 'provider' as const),
    customer: fc.constantFrom(A, B),
    shared: fc.boolean(),
    identity: fc.constantFrom(null, 'r\na', 'r\nb'),
    sources: fc.array(fc.record({ cidr, port: fc.option(fc.constantFrom(5060, 5070), { nil: undefined }) }), {
      maxLength: 3,
    }),
  });

  it('lists exactly the overlapping pairs of holders that may not share, once each', () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbHolder, { selector: (h) => h.id, maxLength: 6 }), (raw) => {
        const holders: SourceHolder[] = raw.map((h) => ({
          kind: h.kind as 'ipbx' | 'provider',
          id: h.id,
          customer_id: h.kind === 'ipbx' ? h.customer : null,
          shared: h.kind === 'ipbx' && h.shared,
          identity: h.kind === 'ipbx' ? h.identity : null,
          sources: h.sources.map((s) => (s.port === undefined ? { cidr: s.cidr } : s)),
        }));
        const key = (x: { id: string; field: string }, y: { id: string; field: string }) =>
          [`${x.id}/${x.field}`, `${y.id}/${y.field}`].sort().join('|');
        const expected = new Set<string>();
        holders.forEach((a, i) => {
          holders.slice(i + 1).forEach((b) => {
            if (!clash(a, b)) return;
            a.sources.forEach((sa, ia) => {
              b.sources.forEach((sb, ib) => {
                if (sourcesOverlap(sa, sb))
                  expected.add(
                    key(
                      { id: a.id, field: `allowed_sources.${ia}` },
                      { id: b.id, field: `allowed_sources.${ib}` },
                    ),
                  );
              });
            });
          });
        });
        const got = allConflicts(holders).map((p) => key(p.a, p.b));
        expect(new Set(got)).toEqual(expected);
        expect(got).toHaveLength(expected.size);
        // And each write-time check agrees with the list.
        for (const h of holders) {
          const perWrite = conflictsOf(h, holders).map((c) =>
            key(
              { id: h.id, field: `allowed_sources.${c.index}` },
              { id: c.other.id, field: `allowed_sources.${c.other.index}` },
            ),
          );
          expect(new Set(perWrite)).toEqual(
            new Set([...expected].filter((k) => k.split('|').some((s) => s.startsWith(`${h.id}/`)))),
          );
        }
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
