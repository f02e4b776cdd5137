import type { DecideHandler, DecideReply } from '../decision/http/decide-handler';
import { boundedReason, record, recording } from './figures';

/** Why a decide was answered without the engine, by HTTP status. */
const REFUSED: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  413: 'too_large',
  503: 'disabled',
};

/** The action and reason a reply is counted under. */
function outcomeOf(reply: DecideReply): { action: string; reason: string } {
  if (reply.outcome) return { action: reply.outcome.action, reason: boundedReason(reply.outcome.reason) };
  return { action: 'error', reason: REFUSED[reply.status] ?? `http_${reply.status}` };
}

/**
 * Times every decide and counts it by action and reason (`route`/`routed`, `reject`/`no_route`,
 * `error`/`store_fault`…); passes the handler through untouched when nothing records.
 *
 * @example
 * const handle = withDecideMetrics(createDecideHandler(deps));
 */
export function withDecideMetrics(handle: DecideHandler): DecideHandler {
  return async (authorization, body) => {
    if (!recording()) return handle(authorization, body);
    const started = performance.now();
    try {
      const reply = await handle(authorization, body);
      record({ kind: 'decision', ...outcomeOf(reply), seconds: (performance.now() - started) / 1000 });
      return reply;
    } catch (error) {
      record({
        kind: 'decision',
        action: 'error',
        reason: 'store_fault',
        seconds: (performance.now() - started) / 1000,
      });
      throw error;
    }
  };
}
