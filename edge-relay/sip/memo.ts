/**
 * `compute` remembered per text, in a table replaced when it reaches `max`.
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
  let table = new Map<string, V>();
  return (text) => {
    const hit = table.get(text);
    if (hit !== undefined || table.has(text)) return hit as V;
    const value = compute(text);
    // A new table, not clear(): V8 links a cleared table to its successor, so once one table was
    // promoted to the old generation every later one (and the datagrams its keys are cut from) was
    // kept through young collections as well, until the next full GC.
    if (table.size >= max) table = new Map();
    table.set(text, value);
    return value;
  };
}
