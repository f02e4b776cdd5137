import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { addFigureSink, type Figure, snapshotAgeSeconds } from './figures';

/**
 * The functions' Prometheus registry: one per process, its metric objects made once, here.
 * Served as `GET /metrics` by the Node server (decision/node-server.ts), which imports this file:
 * a Lambda bundle does not, and sends the same figures as embedded-metric-format lines (emf.ts). No label holds a customer, key, number or
 * raw path: routes are templates, reasons the decision's own names, all bounded.
 */
export const functionsRegistry = new Registry();
const registers = [functionsRegistry];

export const httpRequests = new Counter({
  name: 'tandem_http_requests_total',
  help: 'API requests answered, by method, route template (`/v1/customers/:id`, `unmatched`) and status.',
  labelNames: ['method', 'route', 'status'],
  registers,
});

export const httpDuration = new Histogram({
  name: 'tandem_http_request_duration_seconds',
  help: 'Time to answer an API request (headers ready; a streamed export ends later), by method and route template.',
  labelNames: ['method', 'route'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const decideDuration = new Histogram({
  name: 'tandem_decision_duration_seconds',
  help: 'Time of one POST /v1/routing/decide inside the function (token, validation, engine, credit check), by action.',
  labelNames: ['action'],
  buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers,
});

export const decisions = new Counter({
  name: 'tandem_decisions_total',
  help: 'Decisions, by action (route, challenge, reject; error: refused before the engine or a store fault) and reason (a reject reason such as no_route, unknown_source, auth_failed; routed; challenge; unauthorized, bad_request, store_fault).',
  labelNames: ['action', 'reason'],
  registers,
});

export const snapshotCompile = new Histogram({
  name: 'tandem_decision_snapshot_compile_seconds',
  help: 'Time to build (first request) or refresh (a change seen) the compiled routing snapshot, reads included.',
  labelNames: ['kind'],
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
  registers,
});

export const snapshotLookups = new Counter({
  name: 'tandem_decision_snapshot_lookups_total',
  help: 'Snapshot lookups of the decision: hit (answered from the snapshot in memory), check (waited for a version check), build (waited for the first build).',
  labelNames: ['result'],
  registers,
});

export const cacheErrors = new Counter({
  name: 'tandem_decision_cache_errors_total',
  help: 'Failures of the version cache (Redis) or of the DynamoDB refresh behind it, by kind (cache_down, refresh_failed): decisions go on from the last snapshot.',
  labelNames: ['kind'],
  registers,
});

export const snapshotAge = new Gauge({
  name: 'tandem_decision_snapshot_age_seconds',
  help: 'Seconds since the decision last knew its snapshot current (a version check that did not fail); absent before the first build.',
  registers,
  collect() {
    this.reset();
    const age = snapshotAgeSeconds();
    if (age !== undefined) this.set(age);
  },
});

/** Each figure into its Prometheus series. */
function prometheusSink(f: Figure): void {
  switch (f.kind) {
    case 'request':
      httpRequests.inc({ method: f.method, route: f.route, status: String(f.status) });
      httpDuration.observe({ method: f.method, route: f.route }, f.seconds);
      break;
    case 'decision':
      decisions.inc({ action: f.action, reason: f.reason });
      decideDuration.observe({ action: f.action }, f.seconds);
      break;
    case 'snapshot_compile':
      snapshotCompile.observe({ kind: f.type }, f.seconds);
      break;
    case 'snapshot_lookup':
      snapshotLookups.inc({ result: f.result });
      break;
    case 'cache_error':
      cacheErrors.inc({ kind: f.type });
      break;
  }
}

// Importing the registry (the Node server does) is what turns Prometheus recording on.
addFigureSink(prometheusSink);
