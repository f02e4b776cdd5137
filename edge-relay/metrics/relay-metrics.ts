import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CdrHealth } from '../cdr/cdr-health';
import { cdrMetricFamilies } from '../cdr/cdr-metrics';
import type { RelayEvents } from '../events';
import type { IntakeResult } from '../sip/intake-outcome';
import { createCounter, createHistogram, gauge } from './metric-types';
import { callPostDialDelayMs } from './post-dial-delay';
import type { MetricFamily, MetricSample } from './prometheus-text';

const REASON = /^[a-z0-9_]{1,64}$/;
const MAX_REASONS = 64;

/** What only the running relay knows at scrape time. */
export type RelayGauges = {
  callsInProgress: number;
  dialogs: number;
  /** Age (s) of the oldest answered call this relay holds; 0 with none (or unknown). */
  oldestDialogAgeS?: number;
  bannedSources: number;
  overloaded: boolean;
  draining: boolean;
  /** Absent when the relay does not watch its decision (one passed in by a test or benchmark). */
  decisionUnreachable?: boolean;
};

/**
 * The relay's Prometheus metrics: counters fed by its events (calls, attempts, call ends) and
 * by intake (every received message), gauges read at scrape time. What a carrier watches:
 * ASR per provider (attempts by code), post-dial delay per call and per attempt, malformed
 * traffic, load, dialogs left behind.
 *
 * @example
 * const metrics = createRelayMetrics(ctx.events);
 * metrics.received(intakeResult);
 * renderPrometheus(metrics.families({ callsInProgress: 3, dialogs: 10, oldestDialogAgeS: 42, bannedSources: 0, overloaded: false, draining: false, decisionUnreachable: false }));
 */
export function createRelayMetrics(events: RelayEvents) {
  // Counted for every message: plain numbers, no label lookup.
  const received = { message: 0, reply: 0, drop: 0 };
  const calls = createCounter(
    'tandem_relay_calls_total',
    'INVITEs ended, by the final status sent to the caller.',
  );
  const attempts = createCounter(
    'tandem_relay_attempts_total',
    'Target attempts, by target kind, final code and cause (response, no-provisional, no-final, cancelled).',
  );
  const providerAttempts = createCounter(
    'tandem_relay_provider_attempts_total',
    'Attempts toward each provider (its id in the configuration), by final code: answer-seizure ratio.',
  );
  const ended = createCounter(
    'tandem_relay_calls_ended_total',
    'Answered calls ended, by who ended them: caller or callee (a BYE), relay (the dialog outlived its lifetime).',
  );
  // INVITEs refused before any attempt, by code and reason: a nested map, no label string per refusal.
  const rejects = new Map<string, Map<number, MetricSample>>();
  // What the caller waited, failovers included (post-dial-delay.ts); the per-attempt figure shows
  // which target is slow, and a fast one after a dead primary does not hide that wait.
  const pdd = createHistogram(
    'tandem_relay_post_dial_delay_seconds',
    'Per call, as the caller feels it: its INVITE received → the first provisional other than 100 (or the final answer) sent back, failovers included.',
    [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30],
  );
  const attemptPdd = createHistogram(
    'tandem_relay_attempt_post_dial_delay_seconds',
    'Per attempt: INVITE sent to a target → its first provisional response other than 100.',
    [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
  );
  // The loop's delay says how far behind the relay runs (overload) before calls fail.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = process.hrtime.bigint();
  // The CDR sink's state, read at scrape time once registered (cdr/cdr-metrics.ts).
  let cdrHealth: (() => CdrHealth) | undefined;

  events.on('call', (c) => {
    calls.inc({ code: String(c.status) });
    const ms = callPostDialDelayMs(c);
    if (ms !== null) pdd.observe(ms / 1000);
  });
  events.on('attempt', (a) => {
    const code = String(a.code);
    attempts.inc({ target_kind: a.target_kind, code, cause: a.cause });
    if (a.target_kind === 'provider') providerAttempts.inc({ provider: a.target_id, code });
    if (a.pdd_ms !== null) attemptPdd.observe(a.pdd_ms / 1000);
  });
  events.on('call-end', (e) => ended.inc({ by: e.by }));

  return {
    /**
     * Adds the CDR spool and shipper families (`tandem_cdr_*`), read from the sink at each scrape.
     *
     * @example
     * metrics.watchCdr(() => cdrs.health());
     */
    watchCdr(health: () => CdrHealth): void {
      cdrHealth = health;
    },
    received(result: IntakeResult): void {
      received[result.kind] += 1;
    },
    /** One INVITE refused before any attempt (`code` null: dropped unanswered). */
    rejected(code: number | null, reason: string): void {
      // Reasons are the decision's and the relay's own names; anything else (or too many) is `other`.
      const label =
        REASON.test(reason) && (rejects.has(reason) || rejects.size < MAX_REASONS) ? reason : 'other';
      let byCode = rejects.get(label);
      if (!byCode) {
        byCode = new Map();
        rejects.set(label, byCode);
      }
      const n = code ?? 0;
      const sample = byCode.get(n);
      if (sample) sample.value += 1;
      else
        byCode.set(n, { labels: { code: code === null ? 'none' : String(code), reason: label }, value: 1 });
    },
    /** Every family; the event-loop delay quantiles cover the time since the previous scrape. */
    families(gauges: RelayGauges): MetricFamily[] {
      const memory = process.memoryUsage();
      const cpu = process.cpuUsage();
      const ns = (q: number) => (loop.count > 0 ? loop.percentile(q) / 1e9 : 0);
      const delay: MetricFamily = {
        name: 'tandem_relay_event_loop_delay_seconds',
        help: 'Event-loop delay since the previous scrape (sampled every 10 ms).',
        type: 'summary',
        samples: [
          { labels: { quantile: '0.5' }, value: ns(50) },
          { labels: { quantile: '0.99' }, value: ns(99) },
          { labels: { quantile: '1' }, value: loop.count > 0 ? loop.max / 1e9 : 0 },
        ],
      };
      loop.reset();
      return [
        {
          name: 'tandem_relay_sip_messages_total',
          help: 'SIP messages received, by what intake did: accepted, replied (400, 483, 420...) or dropped.',
          type: 'counter',
          samples: [
            { labels: { result: 'accepted' }, value: received.message },
            { labels: { result: 'replied' }, value: received.reply },
            { labels: { result: 'dropped' }, value: received.drop },
          ],
        },
        calls.family(),
        {
          name: 'tandem_relay_rejects_total',
          help: 'INVITEs refused before any attempt, by SIP code (none: dropped unanswered) and reason (unknown_source, auth_failed, no_route, decision_unreachable, overload, flood...).',
          type: 'counter',
          samples: [...rejects.values()].flatMap((byCode) => [...byCode.values()].map((s) => ({ ...s }))),
        },
        attempts.family(),
        providerAttempts.family(),
        ended.family(),
        pdd.family(),
        attemptPdd.family(),
        gauge('tandem_relay_calls_in_progress', 'INVITEs not answered finally yet.', gauges.callsInProgress),
        gauge(
          'tandem_relay_dialogs',
          'Answered calls this relay holds (its own and adopted ones).',
          gauges.dialogs,
        ),
        gauge(
          'tandem_relay_dialog_oldest_age_seconds',
          'Age of the oldest answered call this relay holds (0 with none): climbing toward TANDEM_DIALOG_TTL_S shows dialogs whose BYE never came.',
          gauges.oldestDialogAgeS ?? 0,
        ),
        gauge(
          'tandem_relay_banned_sources',
          'Source addresses dropped right now for flooding refused INVITEs.',
          gauges.bannedSources,
        ),
        gauge(
          'tandem_relay_overloaded',
          '1 while overload control refuses a share of new INVITEs (503): the relay is at capacity.',
          gauges.overloaded ? 1 : 0,
        ),
        gauge(
          'tandem_relay_draining',
          '1 from SIGTERM until the relay exits: new INVITEs get 503, the calls it carries go on.',
          gauges.draining ? 1 : 0,
        ),
        gauge(
          'tandem_relay_decision_unreachable',
          '1 while every decide has failed (timeout, connection error, 5xx) for more than 5 s: /healthz answers 503.',
          gauges.decisionUnreachable ? 1 : 0,
        ),
        delay,
        ...(cdrHealth ? cdrMetricFamilies(cdrHealth()) : []),
        gauge('process_resident_memory_bytes', 'Resident memory of the relay process.', memory.rss),
        gauge('nodejs_heap_used_bytes', 'V8 heap in use.', memory.heapUsed),
        {
          name: 'process_cpu_seconds_total',
          help: 'User and system CPU time of the relay process.',
          type: 'counter',
          samples: [{ value: (cpu.user + cpu.system) / 1e6 }],
        },
        gauge(
          'process_uptime_seconds',
          'Seconds since the relay started.',
          Number(process.hrtime.bigint() - started) / 1e9,
        ),
      ];
    },
    close(): void {
      loop.disable();
    },
  };
}
