/**
 * A compact longest-prefix table for rate decks (a million prefixes).
 *
 * Per prefix length L (1..15 digits) the prefixes are kept as numbers (the
 * digits read as an integer: exact below 2^53) in a sorted Float64Array with
 * the values beside them. A lookup reads the number's leading digits once and
 * binary-searches each present length from the longest down: ~16 bytes per
 * prefix and no per-prefix objects, where a Map or node trie costs ~100.
 */
export type PrefixTable = {
  readonly size: number;
  /** Present lengths, longest first. */
  readonly lengths: readonly number[];
  readonly keys: readonly (Float64Array | undefined)[];
  readonly values: readonly (Float64Array | undefined)[];
};

const MAX_DIGITS = 15;

/**
 * Builds the table from `+digits` prefixes; for a repeated prefix the last entry wins.
 *
 * @example
 * const deck = buildPrefixTable([{ prefix: '+82', value: 0.02 }, { prefix: '+8210', value: 0.05 }]);
 * longestPrefix(deck, '+821012345678'); // { prefix: '+8210', value: 0.05 }
 */
export function buildPrefixTable(entries: readonly { prefix: string; value: number }[]): PrefixTable {
  const counts = new Int32Array(MAX_DIGITS + 1);
  for (const e of entries) {
    const len = e.prefix.length - 1;
    if (len >= 1 && len <= MAX_DIGITS) counts[len]!++;
  }
  const rawKeys: (Float64Array | undefined)[] = [];
  const rawValues: (Float64Array | undefined)[] = [];
  const fill = new Int32Array(MAX_DIGITS + 1);
  for (let len = 1; len <= MAX_DIGITS; len++) {
    if (counts[len]) {
      rawKeys[len] = new Float64Array(counts[len]!);
      rawValues[len] = new Float64Array(counts[len]!);
    }
  }
  for (const e of entries) {
    const len = e.prefix.length - 1;
    if (len < 1 || len > MAX_DIGITS) continue;
    const i = fill[len]!++;
    rawKeys[len]![i] = digitsValue(e.prefix, 1, len + 1);
    rawValues[len]![i] = e.value;
  }
  const keys: (Float64Array | undefined)[] = [];
  const values: (Float64Array | undefined)[] = [];
  const lengths: number[] = [];
  let size = 0;
  for (let len = MAX_DIGITS; len >= 1; len--) {
    const k = rawKeys[len];
    const v = rawValues[len];
    if (!k || !v) continue;
    const order = new Uint32Array(k.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    // Ties by position keep the sort stable, so "last entry wins" below holds.
    order.sort((a, b) => k[a]! - k[b]! || a - b);
    const sk = new Float64Array(k.length);
    const sv = new Float64Array(k.length);
    let n = 0;
    for (let i = 0; i < order.length; i++) {
      const key = k[order[i]!]!;
      if (n > 0 && sk[n - 1] === key) n--;
      sk[n] = key;
      sv[n] = v[order[i]!]!;
      n++;
    }
    keys[len] = n === sk.length ? sk : sk.slice(0, n);
    values[len] = n === sv.length ? sv : sv.slice(0, n);
    lengths.push(len);
    size += n;
  }
  return { size, lengths, keys, values };
}

/** The digits of a `+digits` prefix read as an integer (the table's key for its length). */
export const prefixDigits = (prefix: string) => digitsValue(prefix, 1, prefix.length);

function digitsValue(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

/**
 * A lookup for one number across many tables: its leading digits are read
 * once, then each table costs only its binary searches.
 */
export function prefixLookup(
  e164: string,
): (table: PrefixTable) => { prefix: string; value: number } | undefined {
  const digits = Math.min(e164.length - 1, MAX_DIGITS);
  const leading: number[] = [0];
  for (let i = 1; i <= digits; i++) leading.push(leading[i - 1]! * 10 + (e164.charCodeAt(i) - 48));
  return (table) => {
    for (const len of table.lengths) {
      if (len > digits) continue;
      const keys = table.keys[len]!;
      const target = leading[len]!;
      let lo = 0;
      let hi = keys.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const key = keys[mid]!;
        if (key < target) lo = mid + 1;
        else if (key > target) hi = mid - 1;
        else return { prefix: e164.slice(0, len + 1), value: table.values[len]![mid]! };
      }
    }
    return undefined;
  };
}

/** The entry for the longest prefix of an E.164 number (`+digits`), or undefined. */
export function longestPrefix(
  table: PrefixTable,
  e164: string,
): { prefix: string; value: number } | undefined {
  return prefixLookup(e164)(table);
}
