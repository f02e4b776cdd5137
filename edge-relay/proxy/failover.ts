import { matchesFailover } from '../../contract/failover';

/** What a failed attempt leads to. */
export type AttemptVerdict = 'next' | 'stop';

/**
 * Whether a final response lets the relay try the next target (docs/design.md, "Failover"):
 * only for the target's failover codes or classes (`"404"`, `"5xx"`), never after a 2xx, never once early
 * media reached the caller, never after the caller's CANCEL, and only while
 * targets remain.
 *
 * @example
 * failoverVerdict({ status: 503, failoverCodes: ['404', '5xx'], earlyMedia: false, cancelled: false, remaining: 1 }); // 'next'
 */
export function failoverVerdict(input: {
  status: number;
  /** The target's `failover_codes`: codes and classes as the decision sends them. */
  failoverCodes: readonly string[];
  earlyMedia: boolean;
  cancelled: boolean;
  remaining: number;
  /** Timer failovers (no provisional / no final in time) ignore the codes. */
  timeout?: boolean;
}): AttemptVerdict {
  if (input.status < 300 || input.earlyMedia || input.cancelled || input.remaining <= 0) return 'stop';
  if (input.timeout) return 'next';
  return matchesFailover(input.failoverCodes, input.status) ? 'next' : 'stop';
}

/** SDP in a provisional response means the caller may hear early media. */
export function carriesEarlyMedia(status: number, contentType: string | undefined, body: string): boolean {
  return (
    status > 100 &&
    status < 200 &&
    body.length > 0 &&
    (contentType ?? '').toLowerCase().startsWith('application/sdp')
  );
}
