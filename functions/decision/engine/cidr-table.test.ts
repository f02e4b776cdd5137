import { describe, expect, it } from 'vitest';
import { buildCidrTable, lookupSource, type SourceOwner } from './cidr-table';

const owner = (id: string): SourceOwner => ({ kind: id.startsWith('p') ? 'provider' : 'ipbx', id });

describe('CIDR table', () => {
  const table = buildCidrTable([
    { cidr: '203.0.113.0/24', owner: owner('p-wide') },
    { cidr: '203.0.113.0/24', port: 5080, owner: owner('p-port') },
    { cidr: '203.0.113.7', owner: owner('i-host') },
    { cidr: '203.0.113.0/24', owner: owner('p-duplicate') },
    { cidr: '10.0.0.0/8', port: 5060, owner: owner('i-portonly') },
    { cidr: '2001:db8::/32', owner: owner('p-v6wide') },
    { cidr: '2001:db8:1::/48', port: 5061, owner: owner('i-v6port') },
    { cidr: '2001:db8:1::10', owner: owner('i-v6host') },
    { cidr: '0.0.0.0/0', port: 1, owner: owner('i-anyport1') },
  ]);

  it.each([
    ['longest prefix wins over a wider one', '203.0.113.7', 5060, 'i-host'],
    ['host entry beats a port-specific /24', '203.0.113.7', 5080, 'i-host'],
    ['port-specific beats port-less at the same length', '203.0.113.8', 5080, 'p-port'],
    ['port-less entry for other ports', '203.0.113.8', 5060, 'p-wide'],
    ['port-only entry does not match another port', '10.1.2.3', 5070, undefined],
    ['port-only entry matches its port', '10.1.2.3', 5060, 'i-portonly'],
    ['unknown address', '198.51.100.1', 5060, undefined],
    ['/0 with port', '198.51.100.1', 1, 'i-anyport1'],
    ['IPv6 wide', '2001:db8:ffff::1', 5060, 'p-v6wide'],
    ['IPv6 port-specific /48', '2001:db8:1::99', 5061, 'i-v6port'],
    ['IPv6 /48 port mismatch falls back to /32', '2001:db8:1::99', 5060, 'p-v6wide'],
    ['IPv6 host in another notation', '2001:0db8:0001:0000:0000:0000:0000:0010', 5061, 'i-v6host'],
    ['IPv4-mapped IPv6 counts as IPv4', '::ffff:203.0.113.7', 5060, 'i-host'],
    ['garbage', 'not-an-ip', 5060, undefined],
  ])('%s', (_name, ip, port, expected) => {
    expect(lookupSource(table, ip, port)?.id).toBe(expected);
  });
});
