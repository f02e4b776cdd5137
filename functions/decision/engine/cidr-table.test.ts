import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rangeContains, sourceRange, withoutHostBits } from '../../domain/source-range';
import { buildCidrTable, lookupSource, matchSources, type SourceOwner } from './cidr-table';

/** p… are providers (the operator's); i… IPBXs of customer `c`, or of the customer after a colon. */
const owner = (name: string): SourceOwner => {
  const [id, customer = 'c'] = name.split(':') as [string, string | undefined];
  return id.startsWith('p')
    ? { kind: 'provider', id, party: 'operator' }
    : { kind: 'ipbx', id, party: `customer:${customer}` };
};

describe('CIDR table', () => {
  // One party per address area: what the source ownership rule leaves in the store.
  const table = buildCidrTable([
    { cidr: '203.0.113.0/24', owner: owner('p-wide') },
    { cidr: '203.0.113.0/24', port: 5080, owner: owner('p-port') },
    { cidr: '203.0.113.7', owner: owner('p-host') },
    { cidr: '203.0.113.0/24', owner: owner('p-duplicate') },
    { cidr: '10.0.0.0/8', port: 5060, owner: owner('i-portonly') },
    { cidr: '2001:db8::/32', owner: owner('i-v6wide') },
    { cidr: '2001:db8:1::/48', port: 5061, owner: owner('i-v6port') },
    { cidr: '2001:db8:1::10', owner: owner('i-v6host') },
    { cidr: '0.0.0.0/0', port: 1, owner: owner('i-anyport1') },
  ]);

  it.each([
    ['longest prefix wins over a wider one', '203.0.113.7', 5060, 'p-host'],
    ['host entry beats a port-specific /24', '203.0.113.7', 5080, 'p-host'],
    ['port-specific beats port-less at the same length', '203.0.113.8', 5080, 'p-port'],
    ['port-less entry for other ports', '203.0.113.8', 5060, 'p-wide'],
    ['port-only entry does not match another port', '10.1.2.3', 5070, undefined],
    ['port-only entry matches its port', '10.1.2.3', 5060, 'i-portonly'],
    ['unknown address', '198.51.100.1', 5060, undefined],
    ['/0 with port', '198.51.100.1', 1, 'i-anyport1'],
    ['IPv6 wide', '2001:db8:ffff::1', 5060, 'i-v6wide'],
    ['IPv6 port-specific /48', '2001:db8:1::99', 5061, 'i-v6port'],
    ['IPv6 /48 port mismatch falls back to /32', '2001:db8:1::99', 5060, 'i-v6wide'],
    ['IPv6 host in another notation', '2001:0db8:0001:0000:0000:0000:0000:0010', 5061, 'i-v6host'],
    ['IPv4-mapped IPv6 counts as IPv4', '::ffff:203.0.113.7', 5060, 'p-host'],
    ['garbage', 'not-an-ip', 5060, undefined],
  ])('%s', (_name, ip, port, expected) => {
    expect(lookupSource(table, ip, port)?.id).toBe(expected);
  });

  it('one party on a source: only the most specific entry (its owners in compile order)', () => {
    expect(matchSources(table, '203.0.113.8', 5060).map((o) => o.id)).toEqual(['p-wide', 'p-duplicate']);
    expect(matchSources(table, '203.0.113.7', 5060).map((o) => o.id)).toEqual(['p-host']);
  });

  const ids = (t: ReturnType<typeof buildCidrTable>, ip: string, port: number) =>
    matchSources(t, ip, port).map((o) => o.id);

  it('several parties on a source: every matching owner, most specific first, whatever the order of entries', () => {
    const entries = [
      { cidr: '0.0.0.0/0', owner: owner('i-catchall:a') },
      { cidr: '198.51.100.0/24', owner: owner('i-net:b') },
      { cidr: '198.51.100.7', port: 5060, owner: owner('i-host:b') },
      { cidr: '198.51.100.7', port: 5060, owner: owner('i-same:a') },
    ];
    for (const order of [entries, [...entries].reverse()]) {
      const t = buildCidrTable(order);
      expect(new Set(ids(t, '198.51.100.7', 5060))).toEqual(
        new Set(['i-host', 'i-same', 'i-net', 'i-catchall']),
      );
      expect(ids(t, '198.51.100.7', 5060).slice(-2)).toEqual(['i-net', 'i-catchall']);
      // Another port: the host entries do not match, the /24 and /0 of two customers do.
      expect(ids(t, '198.51.100.7', 5070)).toEqual(['i-net', 'i-catchall']);
      // Outside the /24 only the catch-all matches: one party, no contest.
      expect(ids(t, '192.0.2.1', 5060)).toEqual(['i-catchall']);
    }
  });

  it('a provider and an IPBX on one range, or different ports, are contested only where a packet matches both', () => {
    const t = buildCidrTable([
      { cidr: '203.0.113.0/24', port: 5060, owner: owner('p-carrier') },
      { cidr: '203.0.113.0/24', port: 5070, owner: owner('i-pbx:a') },
      { cidr: '203.0.113.0/25', owner: owner('i-narrow:b') },
    ]);
    expect(ids(t, '203.0.113.200', 5060)).toEqual(['p-carrier']);
    expect(ids(t, '203.0.113.200', 5070)).toEqual(['i-pbx']);
    expect(ids(t, '203.0.113.1', 5060)).toEqual(['i-narrow', 'p-carrier']);
    expect(ids(t, '203.0.113.1', 5070)).toEqual(['i-narrow', 'i-pbx']);
    expect(ids(t, '203.0.113.1', 5080)).toEqual(['i-narrow']);
  });
});

describe('CIDR table against a brute force (property)', () => {
  // Small address space (10.0.0.0/29 and its supernets) and few ports, so entries overlap often.
  const entry = fc.record({
    base: fc.integer({ min: 0, max: 7 }),
    bits: fc.constantFrom(0, 8, 24, 29, 30, 31, 32),
    port: fc.option(fc.constantFrom(5060, 5070), { nil: undefined }),
    owner: fc.constantFrom('p1', 'p2', 'i1:a', 'i2:a', 'i3:b', 'i4:c'),
  });
  const packet = fc.record({ host: fc.integer({ min: 0, max: 7 }), port: fc.constantFrom(5060, 5070, 5080) });

  it('names several parties exactly when entries of several parties match, else the most specific entry', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 12 }), packet, (raw, p) => {
        const entries = raw.map((e) => ({
          cidr: withoutHostBits(`10.0.0.${e.base}/${e.bits}`) ?? `10.0.0.${e.base}/${e.bits}`,
          port: e.port,
          owner: owner(e.owner),
        }));
        const table = buildCidrTable(entries);
        const ip = `10.0.0.${p.host}`;
        const hits = entries
          .filter((e) => e.port === undefined || e.port === p.port)
          .filter((e) => {
            const range = sourceRange(e.cidr)!;
            return rangeContains(range, sourceRange(ip)!);
          });
        const got = matchSources(table, ip, p.port);
        const parties = new Set(hits.map((h) => h.owner.party));
        expect(new Set(got.map((o) => o.party))).toEqual(parties);
        if (parties.size > 1) {
          expect(new Set(got.map((o) => o.id))).toEqual(new Set(hits.map((h) => h.owner.id)));
        } else if (hits.length > 0) {
          // Longest prefix, then a port-specific entry, then compile order.
          const bits = (e: (typeof hits)[number]) => sourceRange(e.cidr)!.bits;
          const best = Math.max(...hits.map(bits));
          const atBest = hits.filter((h) => bits(h) === best);
          const specific = atBest.filter((h) => h.port !== undefined);
          expect(got.map((o) => o.id)).toEqual(
            (specific.length > 0 ? specific : atBest).map((h) => h.owner.id),
          );
        }
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});
