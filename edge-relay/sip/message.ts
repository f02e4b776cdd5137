/**
 * A raw-preserving SIP message: the start line, the header list as received
 * (names and values untouched) and the body. A proxy must forward what it does
 * not understand byte for byte, so only the headers it owns are rewritten.
 * Strings are latin1 (one char per byte), so `body.length` is its byte length.
 */
import { memoByText } from './memo';

export type SipHeader = { readonly key: string; readonly name: string; readonly value: string };

type Common = { readonly headers: readonly SipHeader[]; readonly body: string };
export type SipRequest = Common & { readonly type: 'request'; readonly method: string; readonly uri: string };
export type SipResponse = Common & {
  readonly type: 'response';
  readonly status: number;
  readonly reason: string;
};
export type SipMessage = SipRequest | SipResponse;

const compact: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
  x: 'session-expires',
};

/** Lower-case long form of a header name (`v` → `via`); remembered per spelling (read for every header line). */
export const headerKey = memoByText((name) => {
  const lower = name.toLowerCase();
  return compact[lower] ?? lower;
}, 1024);

/**
 * Parses one complete message; undefined when the start line or a header line
 * is not SIP. Semantic validation is intake's job (sip/intake.ts).
 *
 * @example
 * const m = parseMessage('OPTIONS sip:relay SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\n\r\n');
 * m?.type; // 'request'
 */
export function parseMessage(raw: string): SipMessage | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  let body = end < 0 ? '' : raw.slice(end + 4);
  const lines = head.replace(/^(\r\n)+/, '').split(/\r\n(?![ \t])/);
  const start = lines[0] ?? '';
  const headers: SipHeader[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim();
    if (!/^[A-Za-z0-9!%'*+._`~-]+$/.test(name)) return undefined;
    const value = line
      .slice(colon + 1)
      .replace(/\r\n[ \t]+/g, ' ')
      .trim();
    headers.push({ key: headerKey(name), name, value });
  }
  const length = headers.find((h) => h.key === 'content-length');
  if (length && /^\d+$/.test(length.value)) body = body.slice(0, Number(length.value));
  const response = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  if (response)
    return { type: 'response', status: Number(response[1]), reason: response[2] ?? '', headers, body };
  const request = /^([A-Za-z0-9!%*_+`'~.-]+) (\S+) SIP\/2\.0$/.exec(start);
  if (request) return { type: 'request', method: request[1]!, uri: request[2]!, headers, body };
  return undefined;
}

/** Serializes with a correct Content-Length (replaced in place, or appended). */
export function serialize(message: SipMessage): string {
  let out =
    message.type === 'request'
      ? `${message.method} ${message.uri} SIP/2.0\r\n`
      : `SIP/2.0 ${message.status} ${message.reason}\r\n`;
  let hasLength = false;
  for (const h of message.headers) {
    if (h.key === 'content-length') {
      if (hasLength) continue;
      hasLength = true;
      out += `${h.name}: ${message.body.length}\r\n`;
    } else out += `${h.name}: ${h.value}\r\n`;
  }
  if (!hasLength) out += `Content-Length: ${message.body.length}\r\n`;
  return `${out}\r\n${message.body}`;
}

/** First value of a header, or undefined. */
export function header(message: SipMessage, key: string): string | undefined {
  for (const h of message.headers) if (h.key === key) return h.value;
  return undefined;
}

/** Every value of a header (one per header line). */
export function headers(message: SipMessage, key: string): string[] {
  return message.headers.filter((h) => h.key === key).map((h) => h.value);
}

/** Every element of a list header (Via, Route, Record-Route), lines and commas both split. */
export function listValues(message: SipMessage, key: string): string[] {
  const out: string[] = [];
  for (const h of message.headers) {
    if (h.key !== key) continue;
    if (!h.value.includes(',')) {
      const v = h.value.trim();
      if (v !== '') out.push(v);
    } else for (const v of splitListElements(h.value)) out.push(v);
  }
  return out;
}

/** The first element of a list header (the top Via, the top Route), without splitting the rest. */
export function firstListValue(message: SipMessage, key: string): string | undefined {
  for (const h of message.headers) {
    if (h.key !== key) continue;
    if (!h.value.includes(',')) return h.value.trim() || undefined;
    return splitListElements(h.value)[0];
  }
  return undefined;
}

/**
 * The elements of a list header value: split on commas outside quotes and angle brackets, trimmed,
 * empty ones dropped. Forwarding reads these; validation keeps empty parts (sip-grammar.ts).
 */
export function splitListElements(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v !== '');
}

/** Returns a copy with every header of `key` removed (the message itself when it has none). */
export function withoutHeader<M extends SipMessage>(message: M, key: string): M {
  if (!message.headers.some((h) => h.key === key)) return message;
  return { ...message, headers: message.headers.filter((h) => h.key !== key) };
}

/** Returns a copy without the headers of any of these keys, in one pass. */
export function withoutHeaders<M extends SipMessage>(message: M, keys: ReadonlySet<string>): M {
  if (!message.headers.some((h) => keys.has(h.key))) return message;
  return { ...message, headers: message.headers.filter((h) => !keys.has(h.key)) };
}

/** Returns a copy with the header set to one value (in place of the first one, or appended). */
export function withHeader<M extends SipMessage>(message: M, name: string, value: string): M {
  const key = headerKey(name);
  const out: SipHeader[] = [];
  let found = false;
  for (const h of message.headers) {
    if (h.key !== key) out.push(h);
    else if (!found) {
      found = true;
      out.push({ key, name: h.name, value });
    }
  }
  if (!found) out.push({ key, name, value });
  return { ...message, headers: out };
}

/** Returns a copy with header lines inserted before the first existing line of the same key (or on top). */
export function withPrepended<M extends SipMessage>(message: M, name: string, values: string[]): M {
  const key = headerKey(name);
  const source = message.headers;
  let at = 0;
  while (at < source.length && source[at]!.key !== key) at++;
  if (at === source.length) at = 0;
  const out: SipHeader[] = [];
  for (let i = 0; i < at; i++) out.push(source[i]!);
  for (const value of values) out.push({ key, name, value });
  for (let i = at; i < source.length; i++) out.push(source[i]!);
  return { ...message, headers: out };
}

/**
 * Returns a copy whose list header `key` has its first element replaced by
 * `first`, or removed when `first` is undefined (the header goes when nothing
 * is left): the top Via, the top Route.
 */
export function withFirstListValue<M extends SipMessage>(message: M, key: string, first?: string): M {
  const index = message.headers.findIndex((h) => h.key === key);
  if (index < 0) return message;
  const rest = splitListElements(message.headers[index]!.value).slice(1);
  const values = first === undefined ? rest : [first, ...rest];
  const headers =
    values.length === 0
      ? message.headers.filter((_, i) => i !== index)
      : message.headers.map((h, i) => (i === index ? { ...h, value: values.join(', ') } : h));
  return { ...message, headers };
}

/** Returns a copy without the first element of a list header (the top Via, the top Route). */
export function withoutFirstListValue<M extends SipMessage>(message: M, key: string): M {
  return withFirstListValue(message, key);
}

/** CSeq number and method. */
export function cseq(message: SipMessage): { seq: number; method: string } {
  const [seq, method] = (header(message, 'cseq') ?? '').split(/\s+/);
  return { seq: Number(seq), method: method ?? '' };
}

export function callId(message: SipMessage): string {
  return header(message, 'call-id') ?? '';
}
