import type { CallOutcome } from '../events';

/**
 * The post-dial delay the caller felt, in ms: its INVITE received → the first provisional other
 * than 100 sent back to it, or its final answer when no such provisional came first, failovers
 * included (a dead primary's seconds count). Null for calls where it means nothing: no target
 * was tried (refused, challenged), or the caller cancelled before hearing anything (its patience,
 * not the network's delay).
 *
 * @example
 * callPostDialDelayMs({ received_at: 0, ringing_at: 2100, ended_at: 9000, status: 200, attempts: [a, b], … }); // 2100
 */
export function callPostDialDelayMs(
  call: Pick<CallOutcome, 'received_at' | 'ringing_at' | 'ended_at' | 'status' | 'attempts'>,
): number | null {
  if (call.attempts.length === 0) return null;
  if (call.ringing_at !== null) return call.ringing_at - call.received_at;
  if (call.status === 487) return null;
  return call.ended_at - call.received_at;
}
