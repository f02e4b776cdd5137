import { parseMessage, type SipRequest, type SipResponse } from './message';

/** Base messages for unit tests; tests override what they need with the message helpers. */
export const INVITE_RAW = [
  'INVITE sip:+8210@192.0.2.1:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKcaller1',
  'Max-Forwards: 70',
  'From: "Alice" <sip:+1555@198.51.100.7>;tag=caller-tag',
  'To: <sip:+8210@192.0.2.1>',
  'Call-ID: call-1@198.51.100.7',
  'CSeq: 1 INVITE',
  'Contact: <sip:alice@198.51.100.7:5070>',
  'P-Asserted-Identity: <sip:+19999@evil>',
  'X-Custom: kept',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\n',
].join('\r\n');

export function invite(raw = INVITE_RAW): SipRequest {
  const m = parseMessage(raw);
  if (m?.type !== 'request') throw new Error('bad fixture');
  return m;
}

/** A response to `request` as a UAS would send it (all Vias copied). */
export function responseTo(
  request: SipRequest,
  status: number,
  options: { toTag?: string; body?: string; contentType?: string; extra?: string[] } = {},
): SipResponse {
  const lines = [
    `SIP/2.0 ${status} Reason`,
    ...request.headers.filter((h) => h.key === 'via').map((h) => `Via: ${h.value}`),
    `From: ${request.headers.find((h) => h.key === 'from')?.value}`,
    `To: ${request.headers.find((h) => h.key === 'to')?.value}${options.toTag ? `;tag=${options.toTag}` : ''}`,
    `Call-ID: ${request.headers.find((h) => h.key === 'call-id')?.value}`,
    `CSeq: ${request.headers.find((h) => h.key === 'cseq')?.value}`,
    ...(options.contentType ? [`Content-Type: ${options.contentType}`] : []),
    ...(options.extra ?? []),
    `Content-Length: ${(options.body ?? '').length}`,
    '',
    options.body ?? '',
  ];
  const m = parseMessage(lines.join('\r\n'));
  if (m?.type !== 'response') throw new Error('bad response fixture');
  return m;
}
