import type { Transport } from '../../contract/peer';
import { defaultSipPort } from './default-port';
import {
  firstListValue,
  listValues,
  type SipRequest,
  withoutFirstListValue,
  withoutHeader,
  withPrepended,
} from './message';
import { formatUri, parseNameAddr, parseUri, type SipUri, sipHost } from './uri';

/** Where the relay listens, as written in Via and Record-Route. */
export type LocalAddress = {
  /** Public host (TANDEM_SIP_PUBLIC_ADDRESS, or the bind address). */
  host: string;
  ports: { udp: number; tcp: number; tls?: number | undefined };
  /** Other names for this relay in URIs (bind address, loopback when bound to 0.0.0.0). */
  aliases?: readonly string[];
};

export type Hop = { transport: Transport; host: string; port: number };

export function portFor(local: LocalAddress, transport: Transport): number {
  if (transport === 'tls') return local.ports.tls ?? local.ports.tcp + 1;
  return transport === 'tcp' ? local.ports.tcp : local.ports.udp;
}

/** Our URI for one side of a call, always loose routing (`;lr`). */
export function ownUri(local: LocalAddress, transport: Transport): string {
  const param = transport === 'udp' ? '' : `;transport=${transport}`;
  return `sip:${sipHost(local.host)}:${portFor(local, transport)}${param};lr`;
}

/**
 * Record-Route values to put on top of a forwarded initial request. Crossing
 * transports records twice (RFC 5658): the callee-facing entry on top, the
 * caller-facing one under it, so each side's route set starts with the entry
 * on its own transport.
 *
 * @example
 * recordRoute(local, 'udp', 'tcp'); // ['<sip:203.0.113.1:5060;transport=tcp;lr>', '<sip:203.0.113.1:5060;lr>']
 */
export function recordRoute(local: LocalAddress, inbound: Transport, outbound: Transport): string[] {
  if (inbound === outbound) return [`<${ownUri(local, outbound)}>`];
  return [`<${ownUri(local, outbound)}>`, `<${ownUri(local, inbound)}>`];
}

export function withRecordRoute(request: SipRequest, values: string[]): SipRequest {
  return withPrepended(request, 'Record-Route', values);
}

const ownHostsCache = new WeakMap<LocalAddress, readonly string[]>();

/** Our host names as written in SIP, lower-case (computed once per LocalAddress: read for every message). */
export function ownHosts(local: LocalAddress): readonly string[] {
  let hosts = ownHostsCache.get(local);
  if (!hosts) {
    hosts = [sipHost(local.host), ...(local.aliases ?? []).map(sipHost)].map((h) => h.toLowerCase());
    ownHostsCache.set(local, hosts);
  }
  return hosts;
}

/** True when the URI names this relay (host and one of its ports; no port means the default). */
export function isOwnUri(local: LocalAddress, uri: SipUri | undefined): boolean {
  if (!uri || uri.scheme === 'tel') return false;
  if (!ownHosts(local).includes(uri.host.toLowerCase())) return false;
  const port = uri.port ?? defaultSipPort(uri.scheme === 'sips' || uri.params['transport'] === 'tls');
  return [local.ports.udp, local.ports.tcp, local.ports.tls].includes(port);
}

function routeUri(value: string): SipUri | undefined {
  const na = parseNameAddr(value);
  return na ? parseUri(na.uri) : undefined;
}

/**
 * Pre-processing of Route information (RFC 3261 §16.4): a Request-URI that we
 * put in a Record-Route (a strict router before us) is replaced by the last
 * Route; then every Route entry on top that names us is removed (two when the
 * dialog crosses transports).
 */
export function popOwnRoutes(local: LocalAddress, request: SipRequest): SipRequest {
  let out = request;
  const routes = listValues(out, 'route');
  if (routes.length > 0 && isOwnUri(local, parseUri(out.uri)) && !parseUri(out.uri)?.user) {
    const last = parseNameAddr(routes[routes.length - 1]!);
    if (last) {
      const kept = routes.slice(0, -1);
      out = withoutHeader(out, 'route');
      if (kept.length > 0) out = withPrepended(out, 'Route', kept);
      out = { ...out, uri: last.uri };
    }
  }
  while (true) {
    const top = firstListValue(out, 'route');
    if (top === undefined || !isOwnUri(local, routeUri(top))) return out;
    out = withoutFirstListValue(out, 'route');
  }
}

/** Transport and port a URI asks for (RFC 3263 without DNS SRV/NAPTR). */
export function uriHop(uri: SipUri, fallback?: Transport): Hop | undefined {
  if (uri.scheme === 'tel' || !uri.host) return undefined;
  const param = uri.params['transport']?.toLowerCase();
  const transport: Transport =
    param === 'tcp' || param === 'tls' || param === 'udp'
      ? param
      : uri.scheme === 'sips'
        ? 'tls'
        : (fallback ?? 'udp');
  return { transport, host: uri.host, port: uri.port ?? defaultSipPort(transport === 'tls') };
}

/**
 * Where a request goes next (RFC 3261 §16.6 steps 6–7): the top Route when
 * present, else the Request-URI. A strict router on top (no `lr`) gets the
 * Request-URI and the old Request-URI moves to the end of the Route set.
 */
export function nextHop(request: SipRequest): { request: SipRequest; hop: Hop | undefined } {
  const routes = listValues(request, 'route');
  const top = routes[0];
  if (top === undefined) {
    const uri = parseUri(request.uri);
    return { request, hop: uri ? uriHop(uri) : undefined };
  }
  const uri = routeUri(top);
  if (!uri) return { request, hop: undefined };
  if ('lr' in uri.params) return { request, hop: uriHop(uri) };
  const rest = [...routes.slice(1), `<${request.uri}>`];
  const strict = withPrepended(withoutHeader(request, 'route'), 'Route', rest);
  return { request: { ...strict, uri: formatUri(uri) }, hop: uriHop(uri) };
}
