import { z } from 'zod';
import { matchesFailover } from '../../contract/failover';
import type { HealthTarget } from '../../contract/health';
import type { AttemptOutcome } from '../events';

/**
 * The state rules of provider health (docs/admission.md), pure: what a probe, a passive mark or
 * an attempt does to one provider's state. The rest of edge-relay/health/ only moves these
 * states between relays, Redis and the API.
 *
 * - A provider starts `up`.
 * - `down_after` consecutive failed probes (no final answer within `timeout_ms`, or a final not in
 *   `alive_codes`) take it `down` (down_by `probe`).
 * - A passive mark (a streak of `passive_down_after` real attempts that timed out or got 503,
 *   counted by every relay of the site) takes it `down` at once (down_by `attempts`).
 * - Down for either reason, only `up_after` consecutive alive probes bring it back `up`; a passive
 *   mark while it recovers starts that count over.
 */

/** One provider's state as the site holds it (JSON in `<prefix>health:state`). Times are epoch ms. */
export const providerState = z.object({
  state: z.enum(['up', 'down']),
  since: z.number(),
  down_by: z.enum(['probe', 'attempts']).nullable(),
  /** Consecutive failed probes (0 after an alive one). */
  fails: z.number().int().min(0),
  /** Consecutive alive probes (0 after a failed one or a passive mark). */
  oks: z.number().int().min(0),
  last_probe: z.object({ at: z.number(), code: z.number().int().nullable(), alive: z.boolean() }).nullable(),
});
export type ProviderState = z.infer<typeof providerState>;

export type ProbeThresholds = Pick<HealthTarget, 'down_after' | 'up_after'>;

/** A state change worth a log line and a metric. */
export type Transition = { to: 'down'; by: 'probe' | 'attempts' } | { to: 'up' };

export function initialState(now: number): ProviderState {
  return { state: 'up', since: now, down_by: null, fails: 0, oks: 0, last_probe: null };
}

/**
 * Whether a probe's final code counts as alive: codes (`"200"`) or classes (`"4xx"`). No answer
 * (null) never does.
 *
 * @example
 * isAlive(404, ['200', '4xx']); // true
 * isAlive(null, ['200']); // false
 */
export function isAlive(code: number | null, aliveCodes: readonly string[]): boolean {
  return code !== null && code >= 200 && matchesFailover(aliveCodes, code);
}

/**
 * The state after one probe.
 *
 * @example
 * afterProbe(initialState(0), { code: null, alive: false }, { down_after: 1, up_after: 2 }, 1000).state; // 'down'
 */
export function afterProbe(
  before: ProviderState,
  probe: { code: number | null; alive: boolean },
  thresholds: ProbeThresholds,
  now: number,
): ProviderState {
  const last_probe = { at: now, code: probe.code, alive: probe.alive };
  if (probe.alive) {
    const oks = before.oks + 1;
    if (before.state === 'down' && oks >= thresholds.up_after)
      return { state: 'up', since: now, down_by: null, fails: 0, oks, last_probe };
    return { ...before, fails: 0, oks, last_probe };
  }
  const fails = before.fails + 1;
  if (before.state === 'up' && fails >= thresholds.down_after)
    return { state: 'down', since: now, down_by: 'probe', fails, oks: 0, last_probe };
  return { ...before, fails, oks: 0, last_probe };
}

/**
 * The state after a passive mark (a streak of failed real attempts): down at once; already down,
 * it stays so (same `since` and reason) and its recovery starts over.
 */
export function afterPassiveMark(before: ProviderState, now: number): ProviderState {
  if (before.state === 'down') return { ...before, oks: 0 };
  return { ...before, state: 'down', since: now, down_by: 'attempts', oks: 0 };
}

export function transition(before: ProviderState, after: ProviderState): Transition | undefined {
  if (before.state === after.state) return undefined;
  return after.state === 'down' ? { to: 'down', by: after.down_by ?? 'probe' } : { to: 'up' };
}

/**
 * What a real attempt says for passive health: `failed` when it timed out (408 from the relay's
 * own timers: no provisional, or no final) or got 503; `answered` for any other final (a 408 the
 * provider sent itself included); `ignored` when the caller cancelled it (the provider was not at
 * fault, nor proven alive).
 */
export function passiveVerdict(outcome: AttemptOutcome): 'failed' | 'answered' | 'ignored' {
  if (outcome.cause === 'cancelled') return 'ignored';
  if (outcome.code === 503) return 'failed';
  if (outcome.code === 408 && (outcome.cause === 'no-provisional' || outcome.cause === 'no-final'))
    return 'failed';
  return 'answered';
}

/**
 * How an attempt counts in the report's attempt statistics: undefined (not counted) when the
 * caller cancelled it; `true` (succeeded) when the provider itself answered with a final below 500
 * other than 408 (a 404 or 486 is a working provider's answer) or with a 6xx (a definitive answer
 * of the callee's side); `false` for timeouts, 408 and 5xx.
 */
export function attemptSucceeded(outcome: AttemptOutcome): boolean | undefined {
  if (outcome.cause === 'cancelled') return undefined;
  if (outcome.cause !== 'response') return false;
  const { code } = outcome;
  return (code < 500 && code !== 408) || code >= 600;
}

/** Attempt statistics: counted in buckets of this many ms (one Redis hash each). */
export const ATTEMPT_BUCKET_MS = 10_000;
/** The report's window: the last this many buckets (300 s), the current one included. */
export const ATTEMPT_WINDOW_BUCKETS = 30;

export const attemptBucket = (now: number): number => Math.floor(now / ATTEMPT_BUCKET_MS);

export type AttemptCounts = { total: number; succeeded: number };
