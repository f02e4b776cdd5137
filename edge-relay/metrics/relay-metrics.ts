import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Histogram, Registry } from 'prom-client';
import type { CdrHealth } from '../cdr/cdr-health';
import { registerCdrMetrics } from '../cdr/cdr-metrics';
import type { RelayEvents } from '../events';
import type { IntakeResult } from '../sip/intake-outcome';
import { callPostDialDelayMs } from './post-dial-delay';
import { scrapeCounter, scrapeGauge, scrapeSummary } from './scrape-time';

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
 * The relay's Prometheus metrics, in its own prom-client registry (several relays may run in one
 * process: tests, benchmarks): counters fed by its events (calls, attempts, call ends) and by
 * intake (every received message), gauges read at scrape time. What a carrier watches: ASR per
 * provider (attempts by code), post-dial delay per call and per attempt, malformed traffic, load,
 * dialogs left behind. Every metric object is made here, once; label values are bounded (SIP
 * codes, causes, the configuration's provider ids, at most 64 refusal reasons).
 *
 * @example
 * const metrics = createRelayMetrics(ctx.events);
 * metrics.received(intakeResult);
 * const text = await metrics.render({ callsInProgress: 3, dialogs: 10, oldestDialogAgeS: 42, bannedSources: 0, overloaded: false, draining: false, decisionUnreachable: false });
 */
export function createRelayMetrics(events: RelayEvents) {
  const registry = new Registry();
  const r = [registry];
  /** The gauges of the scrape in progress (render sets them before the registry reads them). */
  let current: RelayGauges = {
    callsInProgress: 0,
    dialogs: 0,
    bannedSources: 0,
    overloaded: false,
    draining: false,
  };
  // Counted for every message: plain numbers copied in at scrape time. A prom-client child
  // (`labels()`) still builds its label key on each increment.
  const received: Record<IntakeResult['kind'], number> = { message: 0, reply: 0, drop: 0 };
  scrapeCounter(
    registry,
    'tandem_relay_sip_messages_total',
    'SIP messages received, by what intake did: accepted, replied (400, 483, 420...) or dropped.',
    ['result'],
    () => [
      { labels: { result: 'accepted' }, value: received.message },
      { labels: { result: 'replied' }, value: received.reply },
      { labels: { result: 'dropped' }, value: received.drop },
    ],
  );
  const calls = new Counter({
    name: 'tandem_relay_calls_total',
    help: 'INVITEs ended, by the final status sent to the caller.',
    labelNames: ['code'],
    registers: r,
  });
  // INVITEs refused before any attempt, by code and reason (a bounded set of reasons).
  const rejects = new Counter({
    name: 'tandem_relay_rejects_total',
    help: 'INVITEs refused before any attempt, by SIP code (none: dropped unanswered) and reason (unknown_source, auth_failed, no_route, decision_unreachable, overload, flood...).',
    labelNames: ['code', 'reason'],
    registers: r,
  });
  const reasons = new Set<string>();
  const attempts = new Counter({
    name: 'tandem_relay_attempts_total',
    help: 'Target attempts, by target kind, final code and cause (response, no-provisional, no-final, cancelled).',
    labelNames: ['target_kind', 'code', 'cause'],
    registers: r,
  });
  const providerAttempts = new Counter({
    name: 'tandem_relay_provider_attempts_total',
    help: 'Attempts toward each provider (its id in the configuration), by final code: answer-seizure ratio.',
    labelNames: ['provider', 'code'],
    registers: r,
  });
  const ended = new Counter({
    name: 'tandem_relay_calls_ended_total',
    help: 'Answered calls ended, by who ended them: caller or callee (a BYE), relay (the dialog outlived its lifetime).',
    labelNames: ['by'],
    registers: r,
  });
  // What the caller waited, failovers included (post-dial-delay.ts); the per-attempt figure shows
  // which target is slow, and a fast one after a dead primary does not hide that wait.
  const pdd = new Histogram({
    name: 'tandem_relay_post_dial_delay_seconds',
    help: 'Per call, as the caller feels it: its INVITE received → the first provisional other than 100 (or the final answer) sent back, failovers included.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30],
    registers: r,
  });
  const attemptPdd = new Histogram({
    name: 'tandem_relay_attempt_post_dial_delay_seconds',
    help: 'Per attempt: INVITE sent to a target → its first provisional response other than 100.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers: r,
  });
  const gauge = (name: string, help: string, read: (g: RelayGauges) => number) =>
    scrapeGauge(registry, name, help, [], () => [{ value: read(current) }]);
  gauge('tandem_relay_calls_in_progress', 'INVITEs not answered finally yet.', (g) => g.callsInProgress);
  gauge(
    'tandem_relay_dialogs',
    'Answered calls this relay holds (its own and adopted ones).',
    (g) => g.dialogs,
  );
  gauge(
    'tandem_relay_dialog_oldest_age_seconds',
    'Age of the oldest answered call this relay holds (0 with none): climbing toward TANDEM_DIALOG_TTL_S shows dialogs whose BYE never came.',
    (g) => g.oldestDialogAgeS ?? 0,
  );
  gauge(
    'tandem_relay_banned_sources',
    'Source addresses dropped right now for flooding refused INVITEs.',
    (g) => g.bannedSources,
  );
  gauge(
    'tandem_relay_overloaded',
    '1 while overload control refuses a share of new INVITEs (503): the relay is at capacity.',
    (g) => (g.overloaded ? 1 : 0),
  );
  gauge(
    'tandem_relay_draining',
    '1 from SIGTERM until the relay exits: new INVITEs get 503, the calls it carries go on.',
    (g) => (g.draining ? 1 : 0),
  );
  gauge(
    'tandem_relay_decision_unreachable',
    '1 while every decide has failed (timeout, connection error, 5xx) for more than 5 s: /healthz answers 503.',
    (g) => (g.decisionUnreachable ? 1 : 0),
  );
  // The loop's delay says how far behind the relay runs (overload) before calls fail.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  scrapeSummary(
    registry,
    'tandem_relay_event_loop_delay_seconds',
    'Event-loop delay since the previous scrape (sampled every 10 ms).',
    () => {
      const ns = (q: number) => (loop.count > 0 ? loop.percentile(q) / 1e9 : 0);
      const samples = [
        { labels: { quantile: '0.5' }, value: ns(50) },
        { labels: { quantile: '0.99' }, value: ns(99) },
        { labels: { quantile: '1' }, value: loop.count > 0 ? loop.max / 1e9 : 0 },
      ];
      loop.reset();
      return samples;
    },
  );
  scrapeGauge(registry, 'process_resident_memory_bytes', 'Resident memory of the relay process.', [], () => [
    { value: process.memoryUsage.rss() },
  ]);
  scrapeGauge(registry, 'nodejs_heap_used_bytes', 'V8 heap in use.', [], () => [
    { value: process.memoryUsage().heapUsed },
  ]);
  scrapeCounter(
    registry,
    'process_cpu_seconds_total',
    'User and system CPU time of the relay process.',
    [],
    () => {
      const cpu = process.cpuUsage();
      return [{ value: (cpu.user + cpu.system) / 1e6 }];
    },
  );
  const started = process.hrtime.bigint();
  scrapeGauge(registry, 'process_uptime_seconds', 'Seconds since the relay started.', [], () => [
    { value: Number(process.hrtime.bigint() - started) / 1e9 },
  ]);

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
    /** The relay's registry: `/metrics` merges it with the provider health one (service.ts). */
    registry,
    /**
     * Adds the CDR spool and shipper families (`tandem_cdr_*`), read from the sink at each scrape.
     *
     * @example
     * metrics.watchCdr(() => cdrs.health());
     */
    watchCdr(health: () => CdrHealth): void {
      registerCdrMetrics(registry, health);
    },
    received(result: IntakeResult): void {
      received[result.kind] += 1;
    },
    /** One INVITE refused before any attempt (`code` null: dropped unanswered). */
    rejected(code: number | null, reason: string): void {
      // Reasons are the decision's and the relay's own names; anything else (or too many) is `other`.
      let label = 'other';
      if (REASON.test(reason) && (reasons.has(reason) || reasons.size < MAX_REASONS)) {
        reasons.add(reason);
        label = reason;
      }
      rejects.inc({ code: code === null ? 'none' : String(code), reason: label });
    },
    /** Sets what only the running relay knows, for the scrape that follows. */
    setGauges(gauges: RelayGauges): void {
      current = gauges;
    },
    /**
     * The relay's exposition alone (tests); the event-loop delay covers the time since the
     * previous scrape.
     */
    render(gauges: RelayGauges): Promise<string> {
      current = gauges;
      return registry.metrics();
    },
    close(): void {
      loop.disable();
    },
  };
}
