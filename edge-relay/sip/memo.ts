/**
 * `compute` remembered per text, in a table emptied when it reaches `max`.
 * The relay reads the same header values (top Via, Request-URI, From, To,
 * Call-ID, its own Record-Route) several times per message and again in every
 * message of a dialog: parsing or checking once per distinct value keeps the
 * regular expressions off the hot path. Small on purpose: the texts are slices
 * of received datagrams and keep them alive. Results are shared: callers must
 * not change them.
 *
 * @example
 * const parseVia = memoByText(parseViaUncached);
 */
export function memoByText<V>(compute: (text: string) => V, max = 256): (text: string) => V {
  const table = new Map<string, V>();
  return (text) => {
    const hit = table.get(text);
    if (hit !== undefined || table.has(text)) return hit as V;
    const value = compute(text);
    if (table.size >= max) table.clear();
    table.set(text, value);
    return value;
  };
}
