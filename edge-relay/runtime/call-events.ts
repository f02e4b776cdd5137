import type { AttemptOutcome, CallOutcome } from '../events';
import type { CallRuntime, RelayContext } from './context';

/** One attempt's outcome: kept for the call's record, logged and emitted as it happens. */
export function recordAttempt(ctx: RelayContext, call: CallRuntime, outcome: AttemptOutcome): void {
  call.attempts.push(outcome);
  ctx.log.info('attempt outcome', {
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
