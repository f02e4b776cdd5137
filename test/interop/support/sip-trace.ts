/** One SIP message as a peer logged it: which way it went and its raw text. */
export type TracedMessage = {
  direction: 'sent' | 'received';
  raw: string;
  /** Request method, or undefined for a response. */
  method?: string;
  /** Response status, or undefined for a request. */
  status?: number;
  /** Method of the CSeq header (what a response answers). */
  cseqMethod?: string;
};

/** Reads the start line and the CSeq method of a raw SIP message. */
export function describeMessage(direction: TracedMessage['direction'], raw: string): TracedMessage {
  const text = raw.replace(/^\s+/, '');
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const cseqMethod = /^(?:CSeq|cseq):\s*\d+\s+(\S+)/im.exec(text)?.[1]?.toUpperCase();
  const status = /^SIP\/2\.0\s+(\d{3})/.exec(first)?.[1];
  const message: TracedMessage = { direction, raw: text };
  if (status) message.status = Number(status);
  else message.method = first.split(' ', 1)[0];
  if (cseqMethod) message.cseqMethod = cseqMethod;
  return message;
}

/** Values of header `name` (long name; compact forms too when given) in a raw message's header part. */
export function headerValues(raw: string, name: string, compact?: string): string[] {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const names = [name.toLowerCase(), ...(compact ? [compact.toLowerCase()] : [])];
  const values: string[] = [];
  for (const line of head.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    if (names.includes(line.slice(0, colon).trim().toLowerCase())) values.push(line.slice(colon + 1).trim());
  }
  return values;
}

export const isRequest = (m: TracedMessage, method: string) => m.method === method;
export const isResponse = (m: TracedMessage, status: number, cseqMethod: string) =>
  m.status === status && m.cseqMethod === cseqMethod;

/**
 * sipp's `-trace_msg` file: blocks opened by a dashed line with a timestamp,
 * then `UDP message received [n] bytes :` or `TCP message sent (n bytes):`, a
 * blank line and the message.
 */
export function parseSippTrace(text: string): TracedMessage[] {
  const messages: TracedMessage[] = [];
  for (const block of text.split(/^-{10,} [^\n]*\n/m).slice(1)) {
    const match = /^\S+ message (received|sent) (?:\[\d+\] bytes|\(\d+ bytes\)) ?:\s*\n/.exec(block);
    if (!match) continue;
    const body = block.slice(match[0].length).replace(/\s+$/, '');
    if (body) messages.push(describeMessage(match[1] === 'sent' ? 'sent' : 'received', body));
  }
  return messages;
}

/** A short listing for assertion messages: `received INVITE`, `sent 200 (INVITE)`. */
export function summary(messages: readonly TracedMessage[]): string {
  return messages
    .map((m) => `${m.direction} ${m.method ?? `${m.status} (${m.cseqMethod ?? '?'})`}`)
    .join('\n');
}
