import { memoByText } from './memo';

/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966), with IPv6 references.
 * Parameters keep their order; a flag parameter (`lr`) has the value null.
 */
export type SipUri = {
  scheme: 'sip' | 'sips' | 'tel';
  user: string | undefined;
  /** Host as written; IPv6 keeps its brackets (`[2001:db8::1]`). Empty for tel. */
  host: string;
  port: number | undefined;
  params: Record<string, string | null>;
  /** `?headers` as written, without the `?`. */
  headers: string | undefined;
};

/**
 * Parsed once per distinct text (memo.ts): the same Request-URIs, Contacts and
 * our own Route URI are read several times per message and again in every
 * message of a dialog. Callers never change a SipUri.
 *
 * @example
 * parseUri('sip:+8210@[2001:db8::1]:5080;transport=tcp;lr')?.host; // '[2001:db8::1]'
 */
export const parseUri = memoByText(parseUriUncached);

function parseUriUncached(text: string): SipUri | undefined {
  const m = /^(sips?|tel):(.*)$/i.exec(text.trim());
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase() as SipUri['scheme'];
  let rest = m[2]!;
  let headers: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    headers = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (scheme === 'tel') {
    const [number, ...params] = rest.split(';');
    if (!number) return undefined;
    return { scheme, user: number, host: '', port: undefined, params: parseParams(params), headers };
  }
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : undefined;
  const hostPart = at >= 0 ? rest.slice(at + 1) : rest;
  const hp = /^(\[[0-9a-fA-F:.]+\]|[^:;[\]]+)(?::(\d{1,5}))?((?:;.*)?)$/.exec(hostPart);
  if (!hp) return undefined;
  const port = hp[2] === undefined ? undefined : Number(hp[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const params = hp[3] ? parseParams(hp[3].slice(1).split(';')) : {};
  return { scheme, user, host: hp[1]!, port, params, headers };
}

function parseParams(parts: string[]): Record<string, string | null> {
  const params: Record<string, string | null> = {};
  for (const part of parts) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) params[part.toLowerCase()] = null;
    else params[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
  }
  return params;
}

export function formatUri(uri: SipUri): string {
  const params = Object.entries(uri.params)
    .map(([k, v]) => (v === null ? `;${k}` : `;${k}=${v}`))
    .join('');
  const headers = uri.headers ? `?${uri.headers}` : '';
  if (uri.scheme === 'tel') return `tel:${uri.user ?? ''}${params}${headers}`;
  const user = uri.user !== undefined ? `${uri.user}@` : '';
  const port = uri.port !== undefined ? `:${uri.port}` : '';
  return `${uri.scheme}:${user}${uri.host}${port}${params}${headers}`;
}

/** Host without IPv6 brackets, for sockets. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Host as written in SIP (IPv6 in brackets). */
export function sipHost(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/**
 * `"Alice" <sip:a@b>;tag=1` or `sip:a@b;tag=1` → its parts. In the addr-spec
 * form, parameters after the URI belong to the header (RFC 3261 §20.10).
 */
export type NameAddr = { display: string | undefined; uri: string; params: Record<string, string | null> };

export function parseNameAddr(value: string): NameAddr | undefined {
  const v = value.trim();
  const lt = angleStart(v);
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) return undefined;
    const display = v.slice(0, lt).trim() || undefined;
    return { display, uri: v.slice(lt + 1, gt).trim(), params: headerParams(v.slice(gt + 1)) };
  }
  const semi = v.indexOf(';');
  return semi < 0
    ? { display: undefined, uri: v, params: {} }
    : { display: undefined, uri: v.slice(0, semi), params: headerParams(v.slice(semi)) };
}

function angleStart(v: string): number {
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') return i;
  }
  return -1;
}

function headerParams(text: string): Record<string, string | null> {
  return parseParams(
    text
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean),
  );
}

/**
 * The `tag` parameter of a From or To value. Read on every message (transaction
 * and dialog matching), so the common shapes (`<uri>;params`, `uri;params`
 * without quotes) are scanned in place; a quoted display name takes the full parse.
 */
export function tagOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.includes('"')) return parseNameAddr(value)?.params['tag'] ?? undefined;
  const lt = value.indexOf('<');
  let from: number;
  if (lt >= 0) {
    from = value.indexOf('>', lt);
    if (from < 0) return undefined;
  } else from = value.indexOf(';');
  if (from < 0) return undefined;
  let tag: string | null | undefined;
  let at = value.indexOf(';', from);
  // Same reading as headerParams: parts split on ';', trimmed, name lower-cased, the last one wins.
  while (at >= 0) {
    const next = value.indexOf(';', at + 1);
    const part = value.slice(at + 1, next < 0 ? value.length : next).trim();
    if (part.length >= 3 && (part.charCodeAt(0) | 0x20) === 0x74) {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      if (name.toLowerCase() === 'tag') tag = eq < 0 ? null : part.slice(eq + 1);
    }
    at = next;
  }
  return tag ?? undefined;
}
