/**
 * The URI inside a name-addr header value (`"Alice" <sip:+1@h>;tag=x`) or the
 * value itself when it is a bare addr-spec (`sip:+1@h;tag=x`).
 *
 * @example
 * uriOfHeader('"Alice" <sip:+12125550100@pbx.example>;tag=1'); // 'sip:+12125550100@pbx.example'
 */
export function uriOfHeader(value: string): string {
  const open = value.indexOf('<');
  if (open >= 0) {
    const close = value.indexOf('>', open);
    return value.slice(open + 1, close < 0 ? undefined : close).trim();
  }
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim();
}

/** The user part of a sip:/sips:/tel: URI without its parameters, percent-decoded; '' when none. */
export function userOf(uri: string): string {
  const colon = uri.indexOf(':');
  const rest = colon < 0 ? uri : uri.slice(colon + 1);
  const scheme = colon < 0 ? '' : uri.slice(0, colon).toLowerCase();
  const at = rest.indexOf('@');
  let user = scheme === 'tel' ? rest : at < 0 ? '' : rest.slice(0, at);
  const semi = user.indexOf(';');
  if (semi >= 0) user = user.slice(0, semi);
  const password = user.indexOf(':');
  if (password >= 0) user = user.slice(0, password);
  if (user.includes('%')) {
    try {
      user = decodeURIComponent(user);
    } catch {
      return user;
    }
  }
  return user;
}

/** The host of a sip:/sips: URI (lower case, IPv6 without brackets); '' when none. */
export function hostOf(uri: string): string {
  const colon = uri.indexOf(':');
  let rest = colon < 0 ? uri : uri.slice(colon + 1);
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
  if (rest.startsWith('[')) return rest.slice(1, rest.indexOf(']')).toLowerCase();
  const end = rest.search(/[:;?>]/);
  return (end < 0 ? rest : rest.slice(0, end)).toLowerCase();
}

/** A host as it goes into a SIP URI: IPv6 literals in brackets. */
export function uriHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
