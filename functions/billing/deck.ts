import { type PrefixTable, prefixDigits, prefixLookup } from '../decision/engine/prefix-table';
import { effectiveFromMs, inForce, type RateLine } from './rate-line';

/** A line without its prefix (a tariff and its start): what many prefixes of a deck share. */
export type ScheduledTariff = Omit<RateLine, 'prefix'>;

/**
 * A deck compiled for lookups: longest prefix, then the line in force at a time.
 *
 * The table's value for a prefix is the index of its schedule (its tariffs, one per
 * `effective_from`). Schedules and tariffs are shared: a deck of a million prefixes holds a few
 * thousand distinct rates, so it costs the table's ~16 bytes a prefix and no object per prefix.
 */
export type Deck = {
  table: PrefixTable;
  /** Distinct schedules, by the index the table holds. */
  schedules: readonly (readonly ScheduledTariff[])[];
};

const MAX_DIGITS = 15;

/**
 * Compiles a deck (any order, several lines per prefix allowed; the same prefix and
 * `effective_from` twice: the later line wins).
 *
 * @example
 * const deck = compileDeck([{ prefix: '+82', rate: '0.02', ...defaults }]);
 * lookupRate(deck, '+821012345678', Date.now())?.rate; // '0.02'
 */
export function compileDeck(lines: readonly RateLine[]): Deck {
  const n = lines.length;
  // Each line: its prefix as (length, digits as a number) and its interned tariff.
  const lengths = new Uint8Array(n);
  const digits = new Float64Array(n);
  const tariffOf = new Uint32Array(n);
  const tariffs: ScheduledTariff[] = [];
  const tariffIds = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const line = lines[i]!;
    const len = line.prefix.length - 1;
    lengths[i] = len >= 1 && len <= MAX_DIGITS ? len : 0;
    digits[i] = prefixDigits(line.prefix);
    const key = `${line.rate},${line.connect_fee},${line.first_increment_s},${line.next_increment_s},${line.minimum_s},${line.effective_from ?? ''}`;
    let t = tariffIds.get(key);
    if (t === undefined) {
      t = tariffs.length;
      tariffIds.set(key, t);
      const { prefix: _prefix, ...tariff } = line;
      // A fresh string: one cut from a stored chunk's text would keep the whole chunk alive.
      if (tariff.effective_from !== null) {
        tariff.effective_from = new Date(effectiveFromMs(tariff)).toISOString();
      }
      tariffs.push(tariff);
    }
    tariffOf[i] = t;
  }

  // Lines by prefix (length, then digits), ties in input order: a prefix's lines are one run.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => lengths[a]! - lengths[b]! || digits[a]! - digits[b]! || a - b);

  const schedules: ScheduledTariff[][] = [];
  const scheduleIds = new Map<string, number>();
  // One-line schedules, by tariff: the common case needs no key string.
  const single = new Int32Array(tariffs.length).fill(-1);
  const keysByLen: number[][] = Array.from({ length: MAX_DIGITS + 1 }, () => []);
  const valuesByLen: number[][] = Array.from({ length: MAX_DIGITS + 1 }, () => []);
  for (let start = 0; start < n; ) {
    const first = order[start]!;
    let end = start + 1;
    while (end < n && lengths[order[end]!] === lengths[first] && digits[order[end]!] === digits[first]) end++;
    const len = lengths[first]!;
    if (len > 0) {
      let id: number;
      if (end - start === 1) {
        const t = tariffOf[first]!;
        id = single[t]!;
        if (id < 0) {
          id = single[t] = schedules.length;
          schedules.push([tariffs[t]!]);
        }
      } else {
        const run = scheduleOf(order.subarray(start, end), tariffOf, tariffs);
        const key = run.join(',');
        id = scheduleIds.get(key) ?? -1;
        if (id < 0) {
          id = schedules.length;
          scheduleIds.set(key, id);
          schedules.push(run.map((t) => tariffs[t]!));
        }
      }
      keysByLen[len]!.push(digits[first]!);
      valuesByLen[len]!.push(id);
    }
    start = end;
  }

  const tableLengths: number[] = [];
  const keys: (Float64Array | undefined)[] = [];
  const values: (Float64Array | undefined)[] = [];
  let size = 0;
  for (let len = MAX_DIGITS; len >= 1; len--) {
    const k = keysByLen[len]!;
    if (k.length === 0) continue;
    keys[len] = Float64Array.from(k);
    values[len] = Float64Array.from(valuesByLen[len]!);
    tableLengths.push(len);
    size += k.length;
  }
  return { table: { size, lengths: tableLengths, keys, values }, schedules };
}

/** A prefix's tariffs sorted by start, one per `effective_from` (the last line given wins). */
function scheduleOf(run: Uint32Array, tariffOf: Uint32Array, tariffs: readonly ScheduledTariff[]): number[] {
  const byStart = new Map<number, number>();
  for (const i of run) byStart.set(effectiveFromMs(tariffs[tariffOf[i]!]!), tariffOf[i]!);
  return [...byStart].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
}

/**
 * The line rating `e164` at `atMs`, with the deck prefix it matched: the longest prefix of the
 * deck that has a line in force then.
 * A longer prefix whose lines all start later does not hide a shorter one in force.
 */
export function lookupRate(deck: Deck, e164: string, atMs: number): RateLine | undefined {
  return lookupRateWith(prefixLookup(e164), deck, atMs);
}

/** `lookupRate` with the number's digits read once, for many decks (prefix-table.ts). */
export function lookupRateWith(
  lookup: ReturnType<typeof prefixLookup>,
  deck: Deck,
  atMs: number,
): RateLine | undefined {
  const found = lookup(deck.table);
  if (!found) return undefined;
  const tariff = inForce(deck.schedules[found.value]!, atMs);
  if (tariff) return { prefix: found.prefix, ...tariff };
  // The longest prefix is not in force yet: a shorter one may be. Rare; a plain scan down.
  for (let len = found.prefix.length - 1; len >= 2; len--) {
    const prefix = found.prefix.slice(0, len);
    const shorter = prefixLookup(prefix)(deck.table);
    if (!shorter || shorter.prefix !== prefix) continue;
    const line = inForce(deck.schedules[shorter.value]!, atMs);
    if (line) return { prefix, ...line };
  }
  return undefined;
}
