import { type HealthTarget, healthTargets } from '../../contract/health';
import type { Logger } from '../log';

/** A request to the API without an answer after this long fails (the next one comes on schedule). */
export const API_TIMEOUT_MS = 5_000;

export type HealthTargetsClient = {
  /**
   * Asks the API for the targets: the new list, or undefined when the request failed (the caller
   * keeps its last good list). One warning per streak of failures, one line when it answers again;
   * none when `stop` aborted the request (the relay is stopping, and the API may be gone first).
   */
  fetch(stop?: AbortSignal): Promise<HealthTarget[] | undefined>;
};

/**
 * `GET <apiBase>/v1/routing/health-targets` with the relay token: every provider with
 * `health_check.enabled`, and how to probe it.
 *
 * @example
 * const client = createHealthTargetsClient({ apiBase: 'http://127.0.0.1:8080', token, log });
 * const targets = await client.fetch(); // undefined on failure
 */
export function createHealthTargetsClient(options: {
  apiBase: string;
  token: string;
  log: Logger;
  fetch?: typeof fetch;
}): HealthTargetsClient {
  const { log } = options;
  const send = options.fetch ?? fetch;
  const url = `${options.apiBase.replace(/\/+$/, '')}/v1/routing/health-targets`;
  let failing = false;
  return {
    async fetch(stop) {
      let error: string;
      try {
        const response = await send(url, {
          headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
          signal: stop
            ? AbortSignal.any([stop, AbortSignal.timeout(API_TIMEOUT_MS)])
            : AbortSignal.timeout(API_TIMEOUT_MS),
        });
        if (response.ok) {
          const parsed = healthTargets.safeParse(await response.json());
          if (parsed.success) {
            if (failing)
              log.info('health targets fetched again', { providers: parsed.data.providers.length });
            failing = false;
            return parsed.data.providers;
          }
          error = 'answer off the contract';
        } else {
          await response.body?.cancel();
          error = `http ${response.status}`;
        }
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      if (stop?.aborted) return undefined;
      if (!failing) log.warn('health targets not fetched: keeping the last list', { error });
      failing = true;
      return undefined;
    },
  };
}
