/**
 * The CPU cost of the relay's metrics: the updates one call makes (six SIP messages counted,
 * two attempts, the call, its post-dial delays, its end) and one `/metrics` render, with the
 * relay's metrics (edge-relay/metrics/relay-metrics.ts) against the same series updated the
 * plain prom-client way (a labelled child per message). Prints ns per call and µs per render for
 * both; a few seconds in all.
 *
 *   npm run bench:metrics
 *   npm run bench:metrics -- 500000 2000   # calls, renders
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { createRelayEvents, type RelayEvents } from '../edge-relay/events';
import { callPostDialDelayMs } from '../edge-relay/metrics/post-dial-delay';
import { createRelayMetrics } from '../edge-relay/metrics/relay-metrics';
import type { IntakeResult } from '../edge-relay/sip/intake-outcome';

const CALLS = Number(process.argv[2] ?? 300_000);
const RENDERS = Number(process.argv[3] ?? 1_000);
const ROUNDS = 3;
const PROVIDERS = ['p-a', 'p-b', 'p-c', 'p-d', 'p-e', 'p-f'];
const CODES = [200, 200, 200, 486, 503, 408, 404];
const PDD_BOUNDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30];
const ATTEMPT_PDD_BOUNDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];
const accepted = { kind: 'message' } as IntakeResult;
const gauges = { callsInProgress: 10, dialogs: 100, bannedSources: 0, overloaded: false, draining: false };

/** One call's events as the relay emits them: two attempts, the call, its end. */
function emitCall(events: RelayEvents, i: number): void {
  const provider = PROVIDERS[i % PROVIDERS.length]!;
  const code = CODES[i % CODES.length]!;
  const attempt = {
    call_id: 'c',
    target_kind: 'provider' as const,
    target_id: provider,
    route_id: null,
    uri: 'sip:+1@203.0.113.1',
    code,
    cause: 'response' as const,
    pdd_ms: 120 + (i % 900),
    started_at: 0,
    ended_at: 1,
  };
  events.emit('attempt', attempt);
  events.emit('attempt', attempt);
  events.emit('call', {
    call_id: 'c',
    source: { transport: 'udp', address: '203.0.113.9', port: 5060 },
    status: code,
    received_at: 0,
    ringing_at: 150 + (i % 900),
    answered_at: 2000,
    ended_at: 2000,
    attempts: [attempt, attempt],
  });
  events.emit('call-end', { call_id: 'c', by: 'caller' } as never);
}

/** The relay's metrics (relay-metrics.ts), fed by its events and by intake. */
function relayMetrics() {
  const events = createRelayEvents();
  const metrics = createRelayMetrics(events);
  return {
    call(i: number): void {
      for (let m = 0; m < 6; m++) metrics.received(accepted);
      emitCall(events, i);
    },
    render: () => metrics.render(gauges),
    close: () => metrics.close(),
  };
}

/** The events alone, nobody listening: what both figures include besides the metrics. */
function eventsOnly() {
  const events = createRelayEvents();
  return {
    call: (i: number) => emitCall(events, i),
    render: () => '',
    close: () => {},
  };
}

/** The same series in prom-client, every message counted through a labelled child. */
function promClient() {
  const registry = new Registry();
  const messages = new Counter({
    name: 'tandem_relay_sip_messages_total',
    help: 'SIP messages received.',
    labelNames: ['result'],
    registers: [registry],
  });
  const acceptedMessages = messages.labels('accepted');
  const calls = new Counter({
    name: 'tandem_relay_calls_total',
    help: 'Calls.',
    labelNames: ['code'],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'tandem_relay_attempts_total',
    help: 'Attempts.',
    labelNames: ['target_kind', 'code', 'cause'],
    registers: [registry],
  });
  const providerAttempts = new Counter({
    name: 'tandem_relay_provider_attempts_total',
    help: 'Provider attempts.',
    labelNames: ['provider', 'code'],
    registers: [registry],
  });
  const ended = new Counter({
    name: 'tandem_relay_calls_ended_total',
    help: 'Ends.',
    labelNames: ['by'],
    registers: [registry],
  });
  const pdd = new Histogram({
    name: 'tandem_relay_post_dial_delay_seconds',
    help: 'PDD.',
    buckets: PDD_BOUNDS,
    registers: [registry],
  });
  const attemptPdd = new Histogram({
    name: 'tandem_relay_attempt_post_dial_delay_seconds',
    help: 'Attempt PDD.',
    buckets: ATTEMPT_PDD_BOUNDS,
    registers: [registry],
  });
  const events = createRelayEvents();
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
    call(i: number): void {
      for (let m = 0; m < 6; m++) acceptedMessages.inc();
      emitCall(events, i);
    },
    render: () => registry.metrics(),
    close: () => registry.clear(),
  };
}

type Subject = {
  call(i: number): void;
  render(): string | Promise<string>;
  close(): void;
};

async function measure(make: () => Subject): Promise<{ perCallNs: number; perRenderUs: number }> {
  const subject = make();
  for (let i = 0; i < 20_000; i++) subject.call(i); // warm-up: the JIT and every label set
  await subject.render();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) subject.call(i);
  const cpu1 = process.cpuUsage(cpu0);
  const cpu2 = process.cpuUsage();
  for (let r = 0; r < RENDERS; r++) await subject.render();
  const cpu3 = process.cpuUsage(cpu2);
  subject.close();
  return {
    perCallNs: ((cpu1.user + cpu1.system) * 1000) / CALLS,
    perRenderUs: (cpu3.user + cpu3.system) / RENDERS,
  };
}

const rows: string[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const base = await measure(eventsOnly);
  const relay = await measure(relayMetrics);
  const prom = await measure(promClient);
  // The metrics' own share: the same events emitted with nobody listening are subtracted.
  const own = (m: { perCallNs: number }) => (m.perCallNs - base.perCallNs).toFixed(0);
  rows.push(
    `round ${round}: events alone ${base.perCallNs.toFixed(0)} ns/call; metrics on top: relay ${own(relay)} ns/call, ${relay.perRenderUs.toFixed(1)} µs/render` +
      ` | prom-client ${own(prom)} ns/call, ${prom.perRenderUs.toFixed(1)} µs/render`,
  );
  console.log(rows.at(-1));
}
console.log(`${CALLS} calls (6 messages, 2 attempts, 1 end each), ${RENDERS} renders per round, CPU time`);
