import type { RouteTarget } from '../../contract/decide';
import { defaultSipPort } from '../sip/default-port';
import { decrementMaxForwards } from '../sip/max-forwards';
import { cseq, type SipRequest, withHeader, withoutHeader, withoutHeaders } from '../sip/message';
import type { Remote } from '../sip/remote';
import { type Hop, type LocalAddress, recordRoute, withRecordRoute } from '../sip/route';
import { parseUri } from '../sip/uri';
import { popVia, withOwnVia } from './own-via';
import { UNTRUSTED_HEADERS } from './trust';

/**
 * The caller's Route set, credentials and identity claims stop here; the target's headers replace
 * them (the trust rule: trust.ts).
 */
const NOT_FORWARDED: ReadonlySet<string> = new Set(['route', ...UNTRUSTED_HEADERS]);

/** The INVITE for one target (RFC 3261 §16.6). */
export function attemptRequest(
  received: SipRequest,
  source: Remote,
  target: RouteTarget,
  branch: string,
  local: LocalAddress,
): SipRequest {
  let out: SipRequest = withoutHeaders({ ...received, uri: target.uri }, NOT_FORWARDED);
  for (const [name, value] of Object.entries(target.headers)) out = withHeader(out, name, value);
  out = decrementMaxForwards(out);
  out = withRecordRoute(out, recordRoute(local, source.transport, target.transport));
  return withOwnVia(out, local, target.transport, branch);
}

/** Where the INVITE for one target goes: the target URI's host, on the target's transport. */
export function targetHop(target: RouteTarget): Hop | undefined {
  const uri = parseUri(target.uri);
  if (!uri || uri.scheme === 'tel' || !uri.host) return undefined;
  return {
    transport: target.transport,
    host: uri.host,
    port: uri.port ?? defaultSipPort(target.transport === 'tls'),
  };
}

/** The credentials that answer a target's 401 (`Authorization`) or 407 (`Proxy-Authorization`). */
export type Authorization = { header: 'Authorization' | 'Proxy-Authorization'; value: string };

/**
 * An attempt's INVITE sent again with credentials on a new branch: our Via and the old
 * credentials replaced, the next CSeq (RFC 3261 §22.2).
 */
export function retryRequest(
  sent: SipRequest,
  authorization: Authorization,
  target: RouteTarget,
  branch: string,
  local: LocalAddress,
): SipRequest {
  const { seq } = cseq(sent);
  let request = withoutHeader(popVia(sent), 'authorization');
  request = withoutHeader(request, 'proxy-authorization');
  request = withHeader(request, authorization.header, authorization.value);
  request = withHeader(request, 'CSeq', `${seq + 1} INVITE`);
  return withOwnVia(request, local, target.transport, branch);
}
