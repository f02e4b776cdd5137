import type { IntakeOptions, IntakeResult, Remote } from './intake-outcome';
import { buildReply, type IntakeProblem } from './intake-reply';
import { type SplitMessage, splitMessage } from './intake-split';
import { type ValidStart, validateHeaders, validateStartLine } from './intake-validate';
import type { SipMessage } from './message';
import { optionTags } from './sip-grammar';

const DEFAULT_MAX_BYTES = 65_535;

/**
 * The message as `parseMessage` (message.ts) would give it, built from the
 * split intake already made (one parse per message on the hot path; a test
 * checks both agree on every RFC 4475 message).
 */
function toMessage(split: SplitMessage, start: ValidStart): SipMessage {
  const length = split.headers.find((h) => h.key === 'content-length');
  // Bytes past Content-Length are not part of the message (RFC 3261 18.3: dblreq).
  const body = length ? split.body.slice(0, Number(length.value)) : split.body;
  const headers = split.headers;
  return 'request' in start
    ? { type: 'request', method: start.request.method, uri: start.request.uri, headers, body }
    : { type: 'response', status: start.response.status, reason: start.response.reason, headers, body };
}

function refuse(
  problem: IntakeProblem,
  split: SplitMessage,
  isRequest: boolean,
  method: string | undefined,
  extra: string[] = [],
): IntakeResult {
  const what = `${problem.status} ${problem.reason}`;
  if (!isRequest) return { kind: 'drop', reason: `invalid response: ${what}` };
  if (method === 'ACK') return { kind: 'drop', reason: `invalid ACK (never answered): ${what}` };
  const raw = buildReply(problem, split.headers, extra);
  return raw === undefined ? { kind: 'drop', reason: `no Via to answer ${what}` } : { kind: 'reply', raw };
}

function unsafeIntake(raw: string, options: IntakeOptions): IntakeResult {
  if (raw.length > (options.maxMessageBytes ?? DEFAULT_MAX_BYTES))
    return { kind: 'drop', reason: 'message too large' };
  if (raw.trim() === '') return { kind: 'drop', reason: 'keep-alive or empty' };
  const split = splitMessage(raw);
  const isRequest = !split.startLine.startsWith('SIP/');
  const firstToken = /^\S*/.exec(split.startLine)![0];
  const start = validateStartLine(split.startLine);
  if ('status' in start) return refuse(start, split, isRequest, firstToken);
  const method = 'request' in start ? start.request.method : undefined;
  const problem = validateHeaders(split, method);
  if (problem) return refuse(problem, split, isRequest, method);
  if (method !== undefined && method !== 'ACK' && method !== 'CANCEL') {
    const supported = new Set((options.supportedProxyRequire ?? []).map((t) => t.toLowerCase()));
    const unsupported = split.headers
      .filter((h) => h.key === 'proxy-require')
      .flatMap((h) => optionTags(h.value))
      .filter((tag) => !supported.has(tag.toLowerCase()));
    if (unsupported.length > 0) {
      // RFC 3261 16.3 step 5: a proxy rejects what it must support and does not (bext01).
      return refuse({ status: 420, reason: 'Bad Extension' }, split, true, method, [
        `Unsupported: ${unsupported.join(', ')}`,
      ]);
    }
  }
  return { kind: 'message', message: toMessage(split, start) };
}

/**
 * The gate every received UDP datagram or stream frame passes before the
 * proxy sees it. Pure, and never throws: a valid message comes back parsed
 * (the `parseMessage` shape of message.ts, raw-preserving: unknown headers untouched; the relay sets
 * `received`/`rport` itself), an invalid request as the raw 4xx/505 to send back to
 * `remote` on the same transport, anything else (invalid responses, invalid
 * ACKs, garbage without a Via) as a drop with the reason for the log.
 *
 * Decode bytes as latin1 ('binary') so non-UTF-8 bytes survive untouched.
 *
 * @example
 * const outcome = intake(datagram.toString('latin1'), { address, port, transport: 'udp' });
 * if (outcome.kind === 'reply') socket.send(Buffer.from(outcome.raw, 'latin1'), port, address);
 * else if (outcome.kind === 'message') proxy.receive(outcome.message, remote);
 */
export function intake(raw: string, _remote: Remote, options: IntakeOptions = {}): IntakeResult {
  try {
    return unsafeIntake(raw, options);
  } catch (error) {
    return {
      kind: 'drop',
      reason: `intake error: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
