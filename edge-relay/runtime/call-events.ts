import type { AttemptOutcome, CallOutcome } from '../events';
import type { CallRuntime, RelayContext } from './context';

/**
 * One attempt's outcome: kept for the call's record, logged and emitted as it happens. A failed
 * attempt is logged at `info` (why a call went to its next target); the answered one only at
 * `debug`, since the call's `final` line names it.
 */
export function recordAttempt(ctx: RelayContext, call: CallRuntime, outcome: AttemptOutcome): void {
  call.attempts.push(outcome);
  ctx.log[outcome.code < 300 ? 'debug' : 'info']('attempt outcome', {
    call_id: call.callId,
    target: outcome.target_id,
    code: outcome.code,
    cause: outcome.cause,
    pdd_ms: outcome.pdd_ms,
  });
  ctx.events.emit('attempt', outcome);
}

/** The end of the INVITE transaction: what the caller got, every attempt, or why it was refused. */
export function emitCallOutcome(
  ctx: RelayContext,
  call: CallRuntime,
  status: number,
  refused?: string | undefined,
): void {
  const outcome: CallOutcome = {
    call_id: call.callId,
    source: call.state.source,
    status,
    received_at: call.receivedAt,
    ringing_at: call.ringingAt,
    answered_at: status < 300 ? (call.answeredAt ?? ctx.now()) : null,
    ended_at: ctx.now(),
    attempts: call.attempts,
  };
  if (refused !== undefined) outcome.refused = refused;
  ctx.events.emit('call', outcome);
}
