import ipaddr from 'ipaddr.js';

/**
 * An allowed source's address range in the form the decision matches it:
 * IPv4-mapped IPv6 (`::ffff:10.0.0.0/104`) counts as IPv4 (`10.0.0.0/8`).
 * `bytes` holds the network (host bits cleared); `bits` the prefix length.
 */
export type SourceRange = { v6: boolean; bytes: number[]; bits: number };

/** What an allowed source names: a CIDR (or a bare address) and, optionally, one port. */
export type SourceSpec = { cidr: string; port?: number | undefined };

function maskBytes(bytes: number[], bits: number): number[] {
  return bytes.map((b, i) => b & (0xff << (8 - Math.max(0, Math.min(8, bits - i * 8)))) & 0xff);
}

/** The CIDR's address as written, its length (a bare address is a host route), before any masking. */
function read(cidr: string): { ip: ipaddr.IPv4 | ipaddr.IPv6; bits: number } | undefined {
  const [address, bitsText] = cidr.trim().split('/') as [string, string | undefined];
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return undefined;
  }
  const max = ip.kind() === 'ipv4' ? 32 : 128;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return undefined;
  return { ip, bits };
}

/**
 * The range of a CIDR (undefined when it is not one). Host bits are cleared.
 *
 * @example
 * sourceRange('::ffff:10.0.0.0/104'); // { v6: false, bytes: [10, 0, 0, 0], bits: 8 }
 */
export function sourceRange(cidr: string): SourceRange | undefined {
  const parsed = read(cidr);
  if (!parsed) return undefined;
  let { ip, bits } = parsed;
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
    bits -= 96;
  }
  return { v6: ip.kind() === 'ipv6', bytes: maskBytes(ip.toByteArray(), bits), bits };
}

/**
 * The CIDR written with its host bits cleared, when they were set (undefined
 * otherwise, and for a bare address, which is one host).
 *
 * @example
 * withoutHostBits('10.0.0.1/8'); // '10.0.0.0/8'
 * withoutHostBits('10.0.0.0/8'); // undefined
 */
export function withoutHostBits(cidr: string): string | undefined {
  const parsed = read(cidr);
  if (!parsed || !cidr.includes('/')) return undefined;
  const bytes = parsed.ip.toByteArray();
  const masked = maskBytes(bytes, parsed.bits);
  if (masked.every((b, i) => b === bytes[i])) return undefined;
  return `${ipaddr.fromByteArray(masked).toString()}/${parsed.bits}`;
}

/** `a` contains `b` (same family, `a` no longer than `b`, same network on `a`'s bits). */
export function rangeContains(a: SourceRange, b: SourceRange): boolean {
  if (a.v6 !== b.v6 || a.bits > b.bits) return false;
  const masked = maskBytes(b.bytes, a.bits);
  return masked.every((x, i) => x === a.bytes[i]);
}

/** CIDRs either nest or are disjoint: two overlap when one contains the other. */
export function rangesOverlap(a: SourceRange, b: SourceRange): boolean {
  return rangeContains(a, b) || rangeContains(b, a);
}

/** No port is every port: two ports clash unless both are set and differ. */
export const portsOverlap = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || a === b;

/**
 * Some packet would match both sources: their ranges overlap and their ports
 * do too. Sources that are not CIDRs overlap nothing.
 *
 * @example
 * sourcesOverlap({ cidr: '0.0.0.0/0' }, { cidr: '203.0.113.7', port: 5060 }); // true
 * sourcesOverlap({ cidr: '203.0.113.0/24', port: 5060 }, { cidr: '203.0.113.7', port: 5070 }); // false
 */
export function sourcesOverlap(a: SourceSpec, b: SourceSpec): boolean {
  if (!portsOverlap(a.port, b.port)) return false;
  const ra = sourceRange(a.cidr);
  const rb = sourceRange(b.cidr);
  return ra !== undefined && rb !== undefined && rangesOverlap(ra, rb);
}

/** The range text as the decision sees it (`::ffff:10.0.0.0/104` → `10.0.0.0/8`). */
export function formatRange(range: SourceRange): string {
  return `${ipaddr.fromByteArray(range.bytes).toString()}/${range.bits}`;
}

/** `10.0.0.0/8`, `10.0.0.0/8 port 5060`: how messages name a source. */
export const describeSource = (s: SourceSpec) => `${s.cidr}${s.port !== undefined ? ` port ${s.port}` : ''}`;

/** The widest source a customer key may write, per family (docs/security.md, "Sources"). */
export type SourceLimits = { minPrefixV4: number; minPrefixV6: number };

/** Without settings: customer keys may write IPv4 sources of /8 or narrower and IPv6 of /32 or narrower. */
export const DEFAULT_SOURCE_LIMITS: SourceLimits = { minPrefixV4: 8, minPrefixV6: 32 };
