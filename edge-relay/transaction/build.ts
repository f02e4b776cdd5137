import { cseq, firstListValue, header, headers, type SipRequest, type SipResponse } from '../sip/message';
import { parseVia, responseAddress } from '../sip/via';
import type { Destination, Remote } from '../transport/sip-transport';

/** RFC 3261 §17.1.1.3: the ACK a client transaction sends for a non-2xx final (hop by hop). */
export function ackFor(invite: SipRequest, response: SipResponse): SipRequest {
  const topVia = firstListValue(invite, 'via') ?? '';
  const lines: [string, string][] = [
    ['Via', topVia],
    ...headers(invite, 'route').map((r): [string, string] => ['Route', r]),
    ['Max-Forwards', '70'],
    ['From', header(invite, 'from') ?? ''],
    ['To', header(response, 'to') ?? ''],
    ['Call-ID', header(invite, 'call-id') ?? ''],
    ['CSeq', `${cseq(invite).seq} ACK`],
  ];
  return request('ACK', invite.uri, lines);
}

/** RFC 3261 §9.1: CANCEL for a pending INVITE, same branch and Route set. */
export function cancelFor(invite: SipRequest): SipRequest {
  const topVia = firstListValue(invite, 'via') ?? '';
  const lines: [string, string][] = [
    ['Via', topVia],
    ...headers(invite, 'route').map((r): [string, string] => ['Route', r]),
    ['Max-Forwards', '70'],
    ['From', header(invite, 'from') ?? ''],
    ['To', header(invite, 'to') ?? ''],
    ['Call-ID', header(invite, 'call-id') ?? ''],
    ['CSeq', `${cseq(invite).seq} CANCEL`],
  ];
  return request('CANCEL', invite.uri, lines);
}

function request(method: string, uri: string, lines: [string, string][]): SipRequest {
  return {
    type: 'request',
    method,
    uri,
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
