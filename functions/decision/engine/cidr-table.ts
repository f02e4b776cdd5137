import ipaddr from 'ipaddr.js';

/**
 * The IPBX or provider an entry belongs to. `party` is who answers for it:
 * `customer:<id>` for an IPBX, `operator` for a provider. Sources of
 * different parties must never be told apart by table order (decide.ts).
 */
export type SourceOwner = { kind: 'ipbx' | 'provider'; id: string; party: string };
/** Owners of one (prefix, port) entry, in compile order; `contested`: another party's entry overlaps it. */
type Cell = { owners: SourceOwner[]; contested: boolean };
type Slot = { bytes: number[]; any?: Cell; ports: Map<number, Cell> };
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

const partiesDiffer = (a: Cell, b: Cell) => a.owners.some((x) => b.owners.some((y) => x.party !== y.party));

/**
 * Marks every cell that overlaps a cell with an owner of another party
 * (including its own owners): the lookup's fast path may then answer with
 * the most specific cell alone only when it is not contested.
 */
function markContested(family: Family): void {
  const mark = (a: Cell, b: Cell) => {
    if (partiesDiffer(a, b)) {
      a.contested = true;
      b.contested = true;
    }
  };
  for (const [bits, slots] of family.byLength) {
    for (const slot of slots.values()) {
      const cells = [...(slot.any ? [slot.any] : []), ...slot.ports.values()];
      for (const cell of cells) if (partiesDiffer(cell, cell)) cell.contested = true;
      // The same prefix: a port-less entry overlaps every port of it.
      if (slot.any) for (const cell of slot.ports.values()) mark(slot.any, cell);
      // Every wider prefix that contains this one.
      for (const wider of family.lengths) {
        if (wider >= bits) continue;
        const outer = family.byLength.get(wider)!.get(maskedKey(slot.bytes, wider));
        if (!outer) continue;
        if (slot.any) {
          if (outer.any) mark(slot.any, outer.any);
          for (const cell of outer.ports.values()) mark(slot.any, cell);
        }
        for (const [port, cell] of slot.ports) {
          if (outer.any) mark(cell, outer.any);
          const same = outer.ports.get(port);
          if (same) mark(cell, same);
        }
      }
    }
  }
}

/**
 * @example
 * const table = buildCidrTable([{ cidr: '203.0.113.0/24', owner: { kind: 'provider', id, party: 'operator' } }]);
 * lookupSource(table, '203.0.113.7', 5060); // { kind: 'provider', id, party: 'operator' }
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
    const bytes = ip.toByteArray();
    const key = maskedKey(bytes, bits);
    let byKey = family.byLength.get(bits);
    if (!byKey) {
      byKey = new Map();
      family.byLength.set(bits, byKey);
    }
    let slot = byKey.get(key);
    if (!slot) {
      slot = { bytes, ports: new Map() };
      byKey.set(key, slot);
    }
    // Owners of an identical entry are kept in compile order (compile sorts entries, so it is deterministic).
    let cell = entry.port === undefined ? slot.any : slot.ports.get(entry.port);
    if (!cell) {
      cell = { owners: [], contested: false };
      if (entry.port === undefined) slot.any = cell;
      else slot.ports.set(entry.port, cell);
    }
    cell.owners.push(entry.owner);
  }
  for (const family of [table.v4, table.v6]) {
    family.lengths = [...family.byLength.keys()].sort((a, b) => b - a);
    markContested(family);
  }
  return table;
}

const NONE: readonly SourceOwner[] = [];

/**
 * Who may have sent a packet from ip:port. When every matching entry is of
 * one party: the most specific entry's owners (one party). Otherwise every
 * matching owner of every party, most specific first, so the caller can
 * refuse to pick one party over another by specificity or order.
 *
 * @example
 * matchSources(table, '203.0.113.7', 5060); // [{ kind: 'ipbx', id, party: 'customer:…' }]
 */
export function matchSources(table: CidrTable, ip: string, port: number): readonly SourceOwner[] {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = parse(ip);
  } catch {
    return NONE;
  }
  const family = parsed.kind() === 'ipv4' ? table.v4 : table.v6;
  const bytes = parsed.toByteArray();
  for (let i = 0; i < family.lengths.length; i++) {
    const slot = family.byLength.get(family.lengths[i]!)!.get(maskedKey(bytes, family.lengths[i]!));
    if (!slot) continue;
    const cell = slot.ports.get(port) ?? slot.any;
    if (!cell) continue;
    if (!cell.contested) return cell.owners;
    // Contested: every matching entry, from this length down.
    const all: SourceOwner[] = [];
    for (let j = i; j < family.lengths.length; j++) {
      const s = family.byLength.get(family.lengths[j]!)!.get(maskedKey(bytes, family.lengths[j]!));
      if (!s) continue;
      const byPort = s.ports.get(port);
      if (byPort) all.push(...byPort.owners);
      if (s.any) all.push(...s.any.owners);
    }
    // The contest may be on other ports: for this packet one party can still be all there is.
    const party = all[0]!.party;
    return all.every((o) => o.party === party) ? cell.owners : all;
  }
  return NONE;
}

/** The owner of the most specific entry matching ip:port, or undefined. */
export function lookupSource(table: CidrTable, ip: string, port: number): SourceOwner | undefined {
  return matchSources(table, ip, port)[0];
}
