/** Parameters of a Digest challenge or credentials value: names lower-cased, quoted values unescaped. */
export type DigestParams = Record<string, string>;

/**
 * Parses `Digest k=v, k="quoted, \"value\"", …` (RFC 7616 §3.3, §3.4): the relay reads providers'
 * challenges with it, the decision its callers' credentials. A quoted value may hold commas and
 * backslash escapes; an unquoted one runs to the next comma or whitespace; a repeated name keeps its
 * last value; text that is no `name=value` is skipped. Undefined when the scheme is not Digest.
 *
 * @example
 * parseDigestParams('Digest realm="r, x", qop=auth'); // { realm: 'r, x', qop: 'auth' }
 */
export function parseDigestParams(value: string): DigestParams | undefined {
  const m = /^\s*Digest\s+/i.exec(value);
  if (!m) return undefined;
  const params: DigestParams = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/g;
  const rest = value.slice(m[0].length);
  for (let x = re.exec(rest); x; x = re.exec(rest)) {
    params[x[1]!.toLowerCase()] = x[2] !== undefined ? x[2].replace(/\\(.)/g, '$1') : x[3]!;
  }
  return params;
}
