import { describe, expect, it } from 'vitest';
import { allowedSource } from './common';
import { formatRange, sourceRange, sourcesOverlap, withoutHostBits } from './source-range';

describe('source ranges', () => {
  it.each([
    ['10.0.0.1/8', '10.0.0.0/8'],
    ['192.0.2.77/24', '192.0.2.0/24'],
    ['2001:db8::1/32', '2001:db8::/32'],
    ['10.0.0.0/8', undefined],
    ['10.0.0.1', undefined],
    ['2001:db8::1', undefined],
    ['0.0.0.0/0', undefined],
  ])('withoutHostBits(%s) → %s', (cidr, network) => {
    expect(withoutHostBits(cidr)).toBe(network);
  });

  it('a CIDR with host bits set is refused with the network it would be; a bare address is one host', () => {
    const result = allowedSource.safeParse({ cidr: '10.0.0.1/8' });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({ path: ['cidr'], message: 'has host bits set: did you mean 10.0.0.0/8?' }),
    ]);
    expect(allowedSource.safeParse({ cidr: '10.0.0.1' }).success).toBe(true);
    expect(sourceRange('10.0.0.1')).toEqual({ v6: false, bytes: [10, 0, 0, 1], bits: 32 });
    expect(sourceRange('2001:db8::1')?.bits).toBe(128);
  });

  it('IPv4-mapped IPv6 is IPv4, as the decision matches it', () => {
    expect(formatRange(sourceRange('::ffff:10.0.0.0/104')!)).toBe('10.0.0.0/8');
    expect(sourcesOverlap({ cidr: '::ffff:10.0.0.0/104' }, { cidr: '10.1.2.3' })).toBe(true);
    expect(sourcesOverlap({ cidr: '::/0' }, { cidr: '10.1.2.3' })).toBe(false);
  });

  it.each([
    [{ cidr: '0.0.0.0/0' }, { cidr: '203.0.113.7', port: 5060 }, true],
    [{ cidr: '203.0.113.0/24', port: 5060 }, { cidr: '203.0.113.7', port: 5070 }, false],
    [{ cidr: '203.0.113.0/24', port: 5060 }, { cidr: '203.0.113.7' }, true],
    [{ cidr: '203.0.113.0/25' }, { cidr: '203.0.113.128/25' }, false],
    [{ cidr: '2001:db8::/32' }, { cidr: '2001:db8:1::/48', port: 1 }, true],
  ])('%j and %j overlap: %s', (a, b, overlap) => {
    expect(sourcesOverlap(a, b)).toBe(overlap);
    expect(sourcesOverlap(b, a)).toBe(overlap);
  });
});
