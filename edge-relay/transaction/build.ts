import { cseq, firstListValue, header, headers, type SipRequest, type SipResponse } from '../sip/message';
import { parseVia, responseAddress } from '../sip/via';
import type { Destination, Remote } from '../transport/sip-transport';

/** RFC 3261 §17.1.1.3: the ACK a client transaction sends for a non-2xx final (hop by hop). */
export function ackFor(invite: SipRequest, response: SipResponse): SipRequest {
  return sameHopRequest('ACK', invite, header(response, 'to') ?? '');
}

/** RFC 3261 §9.1: CANCEL for a pending INVITE, same branch and Route set. */
export function cancelFor(invite: SipRequest): SipRequest {
  return sameHopRequest('CANCEL', invite, header(invite, 'to') ?? '');
}

/**
 * A request that travels the INVITE's hop (its top Via and so its branch, its Route set,
 * Request-URI, From, Call-ID and CSeq number), with its own method and the given To.
 */
function sameHopRequest(method: 'ACK' | 'CANCEL', invite: SipRequest, to: string): SipRequest {
  const lines: [string, string][] = [
    ['Via', firstListValue(invite, 'via') ?? ''],
    ...headers(invite, 'route').map((r): [string, string] => ['Route', r]),
    ['Max-Forwards', '70'],
    ['From', header(invite, 'from') ?? ''],
    ['To', to],
    ['Call-ID', header(invite, 'call-id') ?? ''],
    ['CSeq', `${cseq(invite).seq} ${method}`],
  ];
  return {
    type: 'request',
    method,
    uri: invite.uri,
    headers: lines.map(([name, value]) => ({ key: name.toLowerCase(), name, value })),
    body: '',
  };
}

/** Where a response goes: back on the connection for TCP/TLS, to Via received/rport for UDP. */
export function responseDestination(response: SipResponse, source: Remote): Destination {
  if (source.transport !== 'udp')
    return { transport: source.transport, host: source.address, port: source.port };
  const via = parseVia(firstListValue(response, 'via') ?? '');
  if (!via) return { transport: 'udp', host: source.address, port: source.port };
  const { address, port } = responseAddress(via);
  return { transport: 'udp', host: address, port };
}

/** Key of a server transaction (RFC 3261 §17.2.3); ACK and CANCEL find their INVITE with `as`. */
export function serverKey(request: SipRequest, as?: string): string {
  const via = parseVia(firstListValue(request, 'via') ?? '');
  const method = as ?? (request.method === 'ACK' ? 'INVITE' : request.method);
  return `${via?.params['branch'] ?? ''}|${via?.host ?? ''}:${via?.port ?? ''}|${method}`;
}

/** Key of a client transaction: our branch and the CSeq method (§17.1.3). */
export function clientKey(message: SipRequest | SipResponse): string {
  const via = parseVia(firstListValue(message, 'via') ?? '');
  const method = cseq(message).method;
  return `${via?.params['branch'] ?? ''}|${method === 'ACK' ? 'INVITE' : method}`;
}
