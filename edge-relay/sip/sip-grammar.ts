/**
 * Hand-written scanners for the parts of the RFC 3261 grammar (section 25)
 * that the `sip` package parses too leniently: request/status line, Via,
 * name-addr / addr-spec, URIs, CSeq, Date. Each check returns `undefined`
 * when valid or a short problem text; scanners are linear (no nested regex
 * quantifiers) so hostile input cannot make them backtrack.
 */

const TOKEN_CHARS = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
// A lookup table: these scanners run on every header of every message.
const TOKEN_TABLE = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~") {
  TOKEN_TABLE[c.charCodeAt(0)] = 1;
}
const isTokenChar = (c: string | undefined): boolean =>
  c !== undefined && c.length === 1 && TOKEN_TABLE[c.charCodeAt(0)] === 1;
const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** RFC 3261 `token`. */
export const isToken = (s: string): boolean => TOKEN_CHARS.test(s);

export type RequestLine = { method: string; uri: string; version: string };
export type StatusLine = { status: number; reason: string; version: string };

/** `Method SP Request-URI SP SIP-Version`: exactly one space between the parts, nothing after. */
export function parseRequestLine(line: string): RequestLine | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a Request-URI may not contain control bytes; that is the check
  const m = /^([A-Za-z0-9\-.!%*_+`'~]+) ([^\x00-\x20\x7f]+) SIP\/(\d{1,3}\.\d{1,3})$/.exec(line);
  return m ? { method: m[1]!, uri: m[2]!, version: m[3]! } : undefined;
}

/** `SIP-Version SP Status-Code SP Reason-Phrase`, with a three-digit code. */
export function parseStatusLine(line: string): StatusLine | undefined {
  const m = /^SIP\/(\d{1,3}\.\d{1,3}) ([1-6]\d\d) ([^\r\n]*)$/.exec(line);
  return m ? { version: m[1]!, status: Number(m[2]), reason: m[3]! } : undefined;
}

/** Skips spaces and tabs (headers are unfolded before they get here). */
function skipWs(s: string, i: number): number {
  let j = i;
  while (isWs(s[j])) j++;
  return j;
}

/** Scans a quoted-string starting at the opening quote; returns the index after the closing quote. */
function scanQuoted(s: string, i: number): number | undefined {
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else j++;
  }
  return undefined;
}

const isParamValueChar = (c: string | undefined): boolean =>
  isTokenChar(c) || c === ':' || c === '[' || c === ']';

/** Scans `*( SEMI generic-param )`; returns the index after the last parameter or a problem. */
function scanParams(s: string, start: number): number | string {
  let i = skipWs(s, start);
  while (s[i] === ';') {
    i = skipWs(s, i + 1);
    const nameStart = i;
    while (isTokenChar(s[i])) i++;
    if (i === nameStart) return 'empty parameter';
    const afterName = i;
    i = skipWs(s, i);
    if (s[i] === '=') {
      i = skipWs(s, i + 1);
      if (s[i] === '"') {
        const end = scanQuoted(s, i);
        if (end === undefined) return 'unterminated quoted string';
        i = end;
      } else {
        const valueStart = i;
        while (isParamValueChar(s[i])) i++;
        if (i === valueStart) return 'empty parameter value';
      }
    } else {
      i = afterName;
    }
    i = skipWs(s, i);
  }
  return i;
}

/**
 * A list header value cut on commas outside quoted strings and angle brackets, parts as written:
 * untrimmed, empty ones kept, so a validator can refuse an empty list element.
 */
export function splitListVerbatim(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c === '"') {
      const end = scanQuoted(value, i);
      if (end === undefined) break;
      i = end;
      continue;
    }
    if (c === '<') depth++;
    else if (c === '>' && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  parts.push(value.slice(start));
  return parts;
}

const HOST = /^(?:[A-Za-z0-9\-.]+|\[[0-9A-Fa-f:.]+\])$/;

/** Validates `host [":" port]`. */
function checkHostPort(hostport: string): string | undefined {
  let host = hostport;
  let port: string | undefined;
  const close = hostport.lastIndexOf(']');
  const colon = hostport.lastIndexOf(':');
  if (colon > close) {
    host = hostport.slice(0, colon);
    port = hostport.slice(colon + 1);
  }
  if (!HOST.test(host)) return 'bad host';
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) > 65535)) return 'bad port';
  return undefined;
}

/**
 * Validates a URI. sip/sips URIs get the full structure check; other schemes
 * (tel, unknown ones: unkscm, novelsc) only `scheme ":" opaque-part` so the
 * proxy can answer 416 itself. A Request-URI may not carry `?headers` (escruri).
 */
export function checkUri(uri: string, requestUri: boolean): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(uri);
  if (!scheme) return 'no URI scheme';
  const rest = uri.slice(scheme[0].length);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: URIs may not contain control bytes; that is the check
  if (rest.length === 0 || /[\x00-\x20\x7f<>"]/.test(rest)) return 'bad URI characters';
  const name = scheme[1]!.toLowerCase();
  if (name !== 'sip' && name !== 'sips') return undefined;
  const at = rest.indexOf('@');
  const afterUser = at >= 0 ? rest.slice(at + 1) : rest;
  if (at === 0) return 'empty user';
  const q = afterUser.indexOf('?');
  if (q >= 0 && requestUri) return 'headers in Request-URI';
  const beforeHeaders = q >= 0 ? afterUser.slice(0, q) : afterUser;
  const semi = beforeHeaders.indexOf(';');
  const hostport = semi >= 0 ? beforeHeaders.slice(0, semi) : beforeHeaders;
  const hostProblem = checkHostPort(hostport);
  if (hostProblem) return hostProblem;
  if (semi >= 0) {
    for (const param of beforeHeaders.slice(semi + 1).split(';')) {
      if (!/^[A-Za-z0-9\-_.!~*'()%[\]/:&+$]+(?:=[A-Za-z0-9\-_.!~*'()%[\]/:&+$]+)?$/.test(param)) {
        return 'bad URI parameter';
      }
    }
  }
  return undefined;
}

/**
 * Validates one `(name-addr / addr-spec) *(SEMI param)` starting at `i` and
 * returns the index after it. name-addr: `[display-name] <URI>` with no
 * spaces inside the brackets (badaspec), a quoted or token-only display name
 * (baddn, quotbal). addr-spec: a URI that must not contain `?` (regbadct).
 */
function scanAddress(s: string, start: number, nameAddrOnly: boolean): number | string {
  let i = skipWs(s, start);
  if (s[i] === '"') {
    const end = scanQuoted(s, i);
    if (end === undefined) return 'unterminated quoted string';
    i = skipWs(s, end);
    if (s[i] !== '<') return 'display name without <URI>';
  } else if (s[i] !== '<') {
    let j = i;
    while (isTokenChar(s[j])) j++;
    if (s[j] === ':' && j > i) {
      if (nameAddrOnly) return 'URI not in <>';
      let k = j;
      while (k < s.length && !/[;,\s]/.test(s[k]!)) k++;
      const uri = s.slice(i, k);
      if (uri.includes('?')) return 'URI with ? not in <>';
      const problem = checkUri(uri, false);
      if (problem) return problem;
      return scanParams(s, k);
    }
    while (isTokenChar(s[i]) || isWs(s[i])) i++;
    if (s[i] !== '<') return 'bad display name';
  }
  const close = s.indexOf('>', i);
  if (close < 0) return 'missing >';
  const uri = s.slice(i + 1, close);
  if (/[\s]/.test(uri)) return 'spaces inside <>';
  const problem = checkUri(uri, false);
  if (problem) return problem;
  return scanParams(s, close + 1);
}

/** To / From: exactly one address with parameters. */
export function checkAddress(value: string): string | undefined {
  const end = scanAddress(value, 0, false);
  if (typeof end === 'string') return end;
  return end === value.length ? undefined : 'trailing characters';
}

/** Contact (`*` or a list), Route and Record-Route (name-addr only). */
export function checkAddressList(value: string, nameAddrOnly: boolean): string | undefined {
  if (!nameAddrOnly && value.trim() === '*') return undefined;
  for (const part of splitListVerbatim(value)) {
    if (part.trim() === '') return 'empty list element';
    const problem = checkAddress(part.trim());
    if (problem) return problem;
    if (nameAddrOnly && !part.includes('<')) return 'URI not in <>';
  }
  return undefined;
}

/** Via: one or more `SIP / 2.0 / transport sent-by *(SEMI via-params)`. */
export function checkVia(value: string): string | undefined {
  for (const raw of splitListVerbatim(value)) {
    const part = raw.trim();
    const m =
      /^SIP[ \t]*\/[ \t]*(\d+\.\d+)[ \t]*\/[ \t]*([A-Za-z0-9\-.!%*_+`'~]+)[ \t]+(\[[^\]\s]*\]|[^\s;:]+)/.exec(
        part,
      );
    if (!m) return 'bad sent-protocol or sent-by';
    if (m[1] !== '2.0') return 'bad SIP version';
    let i = skipWs(part, m[0].length);
    let hostport = m[3]!;
    if (part[i] === ':') {
      i = skipWs(part, i + 1);
      const portStart = i;
      while (/\d/.test(part[i] ?? '')) i++;
      hostport += `:${part.slice(portStart, i)}`;
    }
    const hostProblem = checkHostPort(hostport);
    if (hostProblem) return hostProblem;
    const end = scanParams(part, i);
    if (typeof end === 'string') return end;
    if (end !== part.length) return 'trailing characters';
  }
  return undefined;
}

/** CSeq: `1*DIGIT LWS Method` with the number below 2**31 (RFC 3261 8.1.1.5). */
export function parseCSeq(value: string): { seq: number; method: string } | string {
  const m = /^(\d{1,10})[ \t]+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(value);
  if (!m) return 'not a number and a method';
  const seq = Number(m[1]);
  if (seq >= 2 ** 31) return 'CSeq number out of range';
  return { seq, method: m[2]! };
}

/** Non-negative decimal below a bound, at most `maxDigits` digits (leading zeros allowed: wsinv `0068`). */
export function parseBoundedInt(value: string, max: number, maxDigits = 10): number | undefined {
  if (!/^\d+$/.test(value) || value.replace(/^0+(?=\d)/, '').length > maxDigits) return undefined;
  const n = Number(value);
  return n <= max ? n : undefined;
}

/** `rfc1123-date` in GMT (baddate carries `EST`). */
export function checkDate(value: string): string | undefined {
  return /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(
    value,
  )
    ? undefined
    : 'not an RFC 1123 GMT date';
}

/** Call-ID: `word ["@" word]`. */
export function checkCallId(value: string): string | undefined {
  return /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(?:@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/.test(value)
    ? undefined
    : 'bad Call-ID';
}

/** Option tags of a Require / Proxy-Require / Supported value. */
export function optionTags(value: string): string[] {
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
