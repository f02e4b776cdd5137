import type { DecideRequest } from '../../contract/decide';
import { type DecisionClient, DecisionUnavailableError } from './decision-client';

/**
 * Every decide failing for longer than this (ms) makes the relay unhealthy: long enough that one
 * lost connection or a Lambda cold start does not move traffic, short enough that a keepalived or
 * load-balancer check (every 1–2 s) moves it within seconds of an outage.
 */
export const UNREACHABLE_AFTER_MS = 5_000;

/**
 * With no decide answered (or failed) for this long, the relay asks one of its own: an idle relay
 * (a standby, or one the health check already took traffic from) must still learn that the
 * decision is down, or back. Under traffic the calls' decides are the only ones sent.
 */
export const PROBE_IDLE_MS = 2_000;

/**
 * The probe: a decide request of a source no configuration holds (TEST-NET-1, RFC 5737). Any HTTP
 * answer below 500 (a 2xx reject, or a 4xx) proves the decision answers; decide has no side effects.
 */
export function probeRequest(relayId: string): DecideRequest {
  return {
    call_id: 'tandem-relay-health-probe',
    source: { ip: '192.0.2.1', port: 5060, transport: 'udp' },
    request_uri: 'sip:health-probe@invalid',
    from: '<sip:health-probe@invalid>;tag=probe',
    to: '<sip:health-probe@invalid>',
    method: 'INVITE',
    relay_id: relayId,
  };
}

/**
 * Whether a decide failure says the decision is unreachable: a timeout, a connection error or a
 * 5xx. A 4xx or an answer off the contract came from a decision that runs (a different fault).
 */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof DecisionUnavailableError)) return true;
  return error.httpStatus === undefined || error.httpStatus >= 500;
}

export type DecisionHealth = {
  /** The decision client whose outcomes are watched (what the calls use). */
  readonly client: DecisionClient;
  /** True while every decide has failed for more than `unreachableAfterMs`. */
  unreachable(): boolean;
  stop(): void;
};

export type DecisionHealthOptions = {
  relayId: string;
  now: () => number;
  unreachableAfterMs?: number;
  probeIdleMs?: number;
  /** Called when the decision becomes unreachable (with the last error) and when it answers again. */
  onChange?: (unreachable: boolean, error?: string) => void;
};

/**
 * Watches a decision client: every decide's outcome (and an idle relay's probes) tells whether the
 * decision answers. Unreachable from `unreachableAfterMs` after the first failure with no success
 * since; reachable again at the next success.
 *
 * @example
 * const health = watchDecision(createDecisionClient(options), { relayId: 'relay-1', now: Date.now });
 * health.client.decide(request); health.unreachable(); // false until 5 s of failures
 */
export function watchDecision(decision: DecisionClient, options: DecisionHealthOptions): DecisionHealth {
  const { now } = options;
  const after = options.unreachableAfterMs ?? UNREACHABLE_AFTER_MS;
  const idle = options.probeIdleMs ?? PROBE_IDLE_MS;
  let failingSince: number | null = null;
  let reported = false;
  let lastOutcomeAt = now();
  let probing = false;

  const succeeded = () => {
    lastOutcomeAt = now();
    failingSince = null;
    if (reported) {
      reported = false;
      options.onChange?.(false);
    }
  };
  let lastError = '';
  /** Unreachable at `at`; the change is reported once, whichever notices it first (a failure, a health check). */
  const unreachableAt = (at: number) => {
    const down = failingSince !== null && at - failingSince > after;
    if (down && !reported) {
      reported = true;
      options.onChange?.(true, lastError);
    }
    return down;
  };
  const failed = (error: unknown) => {
    if (!isUnreachable(error)) {
      succeeded();
      return;
    }
    const at = now();
    lastOutcomeAt = at;
    failingSince ??= at;
    lastError = String(error instanceof Error ? error.message : error);
    unreachableAt(at);
  };
  const unreachable = () => unreachableAt(now());

  const probe = setInterval(() => {
    if (probing || now() - lastOutcomeAt < idle) return;
    probing = true;
    decision
      .decide(probeRequest(options.relayId))
      .then(succeeded, failed)
      .finally(() => {
        probing = false;
      });
  }, idle / 2);
  probe.unref();

  return {
    client: {
      decide: (request) =>
        decision.decide(request).then(
          (answer) => {
            succeeded();
            return answer;
          },
          (error: unknown) => {
            failed(error);
            throw error;
          },
        ),
    },
    unreachable,
    stop: () => clearInterval(probe),
  };
}
