import ipaddr from 'ipaddr.js';

export type SourceOwner = { kind: 'ipbx' | 'provider'; id: string };
type Slot = { any?: SourceOwner; ports: Map<number, SourceOwner> };
type Family = { lengths: number[]; byLength: Map<number, Map<string, Slot>> };

/**
 * Who sent a packet: allowed_sources (CIDR + optional port) of IPBXs and
 * providers. Most specific wins: the longest prefix, then a port-specific
 * entry over a port-less one. IPv4-mapped IPv6 addresses count as IPv4.
 */
export type CidrTable = { v4: Family; v6: Family };

export type CidrEntry = { cidr: string; port?: number | undefined; owner: SourceOwner };

function parse(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  return ipaddr.process(address);
}

function maskedKey(bytes: number[], bits: number): string {
  let key = '';
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    const b = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
    key += b < 16 ? `0${b.toString(16)}` : b.toString(16);
  }
  return key;
}

/**
 * @example
 * const table = buildCidrTable([{ cidr: '203.0.113.0/24', owner: { kind: 'provider', id } }]);
 * lookupSource(table, '203.0.113.7', 5060); // { kind: 'provider', id }
 */
export function buildCidrTable(entries: readonly CidrEntry[]): CidrTable {
  const table: CidrTable = {
    v4: { lengths: [], byLength: new Map() },
    v6: { lengths: [], byLength: new Map() },
  };
  for (const entry of entries) {
    const [address, bitsText] = entry.cidr.split('/') as [string, string | undefined];
    const ip = parse(address);
    const family = ip.kind() === 'ipv4' ? table.v4 : table.v6;
    const max = ip.kind() === 'ipv4' ? 32 : 128;
    let bits = bitsText === undefined ? max : Number(bitsText);
    // A v4-mapped v6 CIDR (::ffff:10.0.0.0/104) was turned into v4: shift its length.
    if (ip.kind() === 'ipv4' && address.includes(':') && bits > 32) bits -= 96;
    const key = maskedKey(ip.toByteArray(), bits);
    let byKey = family.byLength.get(bits);
    if (!byKey) {
      byKey = new Map();
      family.byLength.set(bits, byKey);
    }
    let slot = byKey.get(key);
    if (!slot) {
      slot = { ports: new Map() };
      byKey.set(key, slot);
    }
    // The first owner of an identical entry keeps it (compile sorts entries, so this is deterministic).
    if (entry.port === undefined) slot.any ??= entry.owner;
    else if (!slot.ports.has(entry.port)) slot.ports.set(entry.port, entry.owner);
  }
  for (const family of [table.v4, table.v6])
    family.lengths = [...family.byLength.keys()].sort((a, b) => b - a);
  return table;
}

/** The owner of the most specific entry matching ip:port, or undefined. */
export function lookupSource(table: CidrTable, ip: string, port: number): SourceOwner | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = parse(ip);
  } catch {
    return undefined;
  }
  const family = parsed.kind() === 'ipv4' ? table.v4 : table.v6;
  const bytes = parsed.toByteArray();
  for (const bits of family.lengths) {
    const slot = family.byLength.get(bits)!.get(maskedKey(bytes, bits));
    if (!slot) continue;
    const owner = slot.ports.get(port) ?? slot.any;
    if (owner) return owner;
  }
  return undefined;
}
