import type { RawHeader } from './intake-split';

/** A SIP problem found by intake: the status to answer with and a reason phrase naming it. */
export type IntakeProblem = { status: number; reason: string };

const clean = (value: string): string => value.replace(/[\r\n\0]/g, ' ');

/** FNV-1a, so the To tag of a stateless reply is stable for a retransmitted request (and the function stays pure). */
function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

/**
 * Builds a stateless error response from whatever headers could be read
 * (RFC 3261 8.2.6): every Via in order, the first From, To (tagged if it had
 * no tag), Call-ID and CSeq. Returns undefined when there is no Via to route
 * the response by.
 *
 * @example
 * buildReply({ status: 400, reason: 'Bad CSeq' }, headers) // 'SIP/2.0 400 Bad CSeq\r\nVia: ...'
 */
export function buildReply(
  problem: IntakeProblem,
  headers: readonly RawHeader[],
  extra: readonly string[] = [],
): string | undefined {
  const vias = headers.filter((h) => h.key === 'via' && h.value.trim() !== '');
  if (vias.length === 0) return undefined;
  const first = (key: string) => headers.find((h) => h.key === key)?.value;
  const lines = [`SIP/2.0 ${problem.status} ${clean(problem.reason)}`];
  for (const via of vias) lines.push(`Via: ${clean(via.value)}`);
  const from = first('from');
  if (from !== undefined) lines.push(`From: ${clean(from)}`);
  const to = first('to');
  if (to !== undefined) {
    const tagged = /;[ \t]*tag[ \t]*=/i.test(to)
      ? to
      : `${to};tag=${fnv(headers.map((h) => h.value).join('|'))}`;
    lines.push(`To: ${clean(tagged)}`);
  }
  const callId = first('call-id');
  if (callId !== undefined) lines.push(`Call-ID: ${clean(callId)}`);
  const cseq = first('cseq');
  if (cseq !== undefined) lines.push(`CSeq: ${clean(cseq)}`);
  lines.push(...extra, 'Content-Length: 0', '', '');
  return lines.join('\r\n');
}
