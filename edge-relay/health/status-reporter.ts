import type { HealthTarget, ProviderSiteState, ProviderStatusReport } from '../../contract/health';
import type { Logger } from '../log';
import {
  ATTEMPT_BUCKET_MS,
  ATTEMPT_WINDOW_BUCKETS,
  type AttemptCounts,
  initialState,
  type ProviderState,
} from './health-rules';
import { API_TIMEOUT_MS } from './health-targets-client';

/** The report's attempt window, seconds. */
export const ATTEMPT_WINDOW_S = (ATTEMPT_WINDOW_BUCKETS * ATTEMPT_BUCKET_MS) / 1000;

/**
 * The report of a site: every target's state as the leader holds it, with the site's attempts.
 * A target without a state yet (just added) is reported up since `now`.
 *
 * @example
 * statusReport({ site: 'par1', relayId: 'relay-1', now: Date.now() }, targets, states, counts);
 */
export function statusReport(
  who: { site: string; relayId: string; now: number },
  targets: readonly HealthTarget[],
  states: ReadonlyMap<string, ProviderState>,
  attempts: ReadonlyMap<string, AttemptCounts>,
): ProviderStatusReport {
  const iso = (ms: number) => new Date(ms).toISOString();
  const providers = targets.map((target): ProviderSiteState => {
    const state = states.get(target.provider_id) ?? initialState(who.now);
    const counts = attempts.get(target.provider_id) ?? { total: 0, succeeded: 0 };
    return {
      provider_id: target.provider_id,
      state: state.state,
      since: iso(state.since),
      down_by: state.state === 'down' ? state.down_by : null,
      last_probe: state.last_probe
        ? { at: iso(state.last_probe.at), code: state.last_probe.code, alive: state.last_probe.alive }
        : null,
      attempts: {
        window_s: ATTEMPT_WINDOW_S,
        total: counts.total,
        // Counted by different relays in different commands: never report more successes than attempts.
        succeeded: Math.min(counts.succeeded, counts.total),
      },
    };
  });
  return { site: who.site, relay_id: who.relayId, reported_at: iso(who.now), providers };
}

export type StatusReporter = { send(report: ProviderStatusReport): Promise<boolean> };

/**
 * `POST <apiBase>/v1/providers/status` with the relay token. A failed report is not retried: the
 * next one, a report period later, says everything again. One warning per streak of failures,
 * one line when a report goes through again.
 */
export function createStatusReporter(options: {
  apiBase: string;
  token: string;
  log: Logger;
  fetch?: typeof fetch;
}): StatusReporter {
  const { log } = options;
  const send = options.fetch ?? fetch;
  const url = `${options.apiBase.replace(/\/+$/, '')}/v1/providers/status`;
  let failing = false;
  return {
    async send(report) {
      let error: string;
      try {
        const response = await send(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(report),
          signal: AbortSignal.timeout(API_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (response.ok) {
          if (failing) log.info('provider status reported again');
          failing = false;
          return true;
        }
        error = `http ${response.status}`;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      if (!failing) log.warn('provider status not reported', { error });
      failing = true;
      return false;
    },
  };
}
