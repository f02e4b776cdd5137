/** A prefix → item map that is probed from the longest present length down (routes, DID ranges, policy lists). */
export type PrefixIndex<T> = { byPrefix: Map<string, T>; lengths: number[] };

/**
 * @example
 * const index = prefixIndex([['+1', 'nanp'], ['+1900', 'premium']]);
 */
export function prefixIndex<T>(entries: Iterable<[string, T]>): PrefixIndex<T> {
  const byPrefix = new Map(entries);
  const lengths = [...new Set([...byPrefix.keys()].map((p) => p.length))].sort((a, b) => b - a);
  return { byPrefix, lengths };
}

/** Probes every present length, longest first; `visit` returns true to stop. */
export function probePrefixes<T>(
  index: PrefixIndex<T>,
  e164: string,
  visit: (prefix: string, item: T) => boolean,
) {
  for (const len of index.lengths) {
    if (len > e164.length) continue;
    const prefix = e164.slice(0, len);
    const item = index.byPrefix.get(prefix);
    if (item !== undefined && visit(prefix, item)) return;
  }
}

/**
 * The longest prefix of `e164` in the index, or undefined.
 *
 * @example
 * longestPrefixIn(prefixIndex([['+1', true], ['+1900', true]]), '+19005550100'); // '+1900'
 */
export function longestPrefixIn(index: PrefixIndex<unknown>, e164: string): string | undefined {
  let found: string | undefined;
  probePrefixes(index, e164, (prefix) => {
    found = prefix;
    return true;
  });
  return found;
}
