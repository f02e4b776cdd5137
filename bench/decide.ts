/**
 * In-process benchmark of the routing decision (docs/design.md, "Targets"):
 * 1,000 routes, 10 providers with 100k-prefix rate decks each (1M prefixes).
 * Prints compile time, heap after compile, decisions/s and p50/p99 latency.
 *
 *   npm run bench:decide
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { type DecideRequest, decideRequest } from '../contract/decide';
import {
  compileGlobal,
  compileRates,
  compileRoutes,
  decide,
  type Snapshot,
  seededRandom,
} from '../functions/decision/engine';
import { baseIpbx, baseProvider, route, uid } from '../functions/decision/engine/test-fixtures';
import { createDecideHandler } from '../functions/decision/http/decide-handler';
import { DEFAULT_CUSTOMER_ID } from '../functions/domain/common';

const PROVIDERS = 10;
const PREFIXES_PER_DECK = 100_000;
const ROUTES = 1_000;
const DECISIONS = 200_000;

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const random = seededRandom(2026);

function syntheticDeck(seed: number): { prefix: string; rate: string }[] {
  const r = seededRandom(seed);
  const deck: { prefix: string; rate: string }[] = [];
  const seen = new Set<string>();
  while (deck.length < PREFIXES_PER_DECK) {
    const len = 3 + Math.floor(r() * 6); // 3..8 digits after the country-ish start
    let prefix = `+${1 + Math.floor(r() * 9)}`;
    for (let i = 1; i < len; i++) prefix += Math.floor(r() * 10);
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    deck.push({ prefix, rate: (Math.round(r() * 10_000) / 100_000).toFixed(5) });
  }
  return deck;
}

// 100 customers with 9 routes each plus 100 routes of the default customer: country and
// mobile prefixes, some LCR, priorities and weights mixed — so a call meets ~10–20 candidates.
const CUSTOMERS = 100;
const COUNTRY = ['+1', '+44', '+49', '+33', '+82', '+81', '+86', '+91', '+61', '+55'];
const targets = COUNTRY.flatMap((cc) => [cc, `${cc}1`, `${cc}20`, `${cc}7`, `${cc}9`]);
const customers = Array.from({ length: CUSTOMERS }, (_, i) => uid(10_000 + i));
const providers = Array.from({ length: PROVIDERS }, (_, i) => ({
  ...baseProvider,
  id: uid(200 + i),
  hostname: `sip.carrier-${i}.example`,
  tech_prefix: i % 2 ? '' : '99#',
  tech_headers: { 'X-Trunk': `t${i}` },
}));
const ipbxs = customers.map((customer_id, i) => ({
  ...baseIpbx,
  id: uid(20_000 + i),
  customer_id,
  allowed_sources: [{ cidr: `10.${Math.floor(i / 250)}.${i % 250}.0/24` }],
}));
const routes = Array.from({ length: ROUTES }, (_, i) => {
  const owner = i < ROUTES - 100 ? customers[i % CUSTOMERS]! : DEFAULT_CUSTOMER_ID;
  return route({
    customer_id: owner,
    provider_id: providers[(i * 7) % PROVIDERS]!.id,
    target: i % 10 === 9 ? 'all' : targets[(i * 13) % targets.length]!,
    priority: i % 3,
    lcr: i % 2 === 0,
    weight: 1 + (i % 10) * 10,
  });
});

gc?.();
const memory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers; // typed arrays live outside the JS heap proper
};
const heapBefore = memory();
console.log(
  'generating and compiling 1M synthetic prefixes, one 100k deck at a time (as the loader reads them)…',
);
// Like the loader, one raw deck (as read from DynamoDB) exists at a time; only its compiled table stays.
const rates = new Map<string, ReturnType<typeof compileRates>>();
let compileMs = 0;
for (const [i, p] of providers.entries()) {
  const deck = syntheticDeck(i + 1);
  const t = performance.now();
  rates.set(p.id, compileRates(deck));
  compileMs += performance.now() - t;
}
const t0 = performance.now();
const perCustomer = new Map<string, typeof routes>();
for (const r of routes) perCustomer.set(r.customer_id, [...(perCustomer.get(r.customer_id) ?? []), r]);
const snapshot: Snapshot = {
  global: compileGlobal({ ipbxs, providers, dids: [], domains: [], profiles: [] }),
  rates,
  plans: new Map(),
  routes: new Map([...perCustomer].map(([id, rs]) => [id, compileRoutes(rs)])),
};
compileMs += performance.now() - t0;
gc?.();
const heapAfter = memory();
const prefixes = [...rates.values()].reduce((n, d) => n + d.table.size, 0);

const callees = Array.from({ length: 1024 }, () => {
  let n = COUNTRY[Math.floor(random() * COUNTRY.length)]!;
  while (n.length < 12) n += Math.floor(random() * 10);
  return n;
});
const requests: DecideRequest[] = callees.map((callee, i) => ({
  call_id: `bench-${i}`,
  source: { ip: `10.0.${i % CUSTOMERS}.${1 + (i % 200)}`, port: 5060, transport: 'udp' },
  request_uri: `sip:${callee}@relay.example`,
  from: '<sip:+12125550100@pbx.example>;tag=1',
  to: `<sip:${callee}@relay.example>`,
}));
const options = { now: Date.parse('2026-11-23T10:00:00Z'), random, nonceSecret: 'bench-secret-0123456789' };

let routed = 0;
for (let i = 0; i < 20_000; i++) decide(requests[i & 1023]!, snapshot, options); // warm-up (JIT)
const latencies = new Float64Array(DECISIONS);
const start = performance.now();
for (let i = 0; i < DECISIONS; i++) {
  const s = performance.now();
  const d = decide(requests[i & 1023]!, snapshot, options);
  latencies[i] = performance.now() - s;
  if (d.response.action === 'route') routed++;
}
const totalMs = performance.now() - start;
latencies.sort();
const pct = (p: number) => `${(latencies[Math.floor((DECISIONS - 1) * p)]! * 1000).toFixed(1)} µs`;

console.log(
  `rate prefixes compiled: ${prefixes.toLocaleString('en-US')} (${PROVIDERS} decks), routes: ${ROUTES} (${CUSTOMERS} customers + the default customer)`,
);
console.log(`compile: ${compileMs.toFixed(0)} ms (target ≤ 4000 ms)`);
console.log(
  `peak RSS of the process (tsx, one raw 100k deck at a time, tables): ${mb(process.resourceUsage().maxRSS * 1024)}`,
);
console.log(
  `memory after compile (heap + array buffers): ${mb(heapAfter)} in total, ${mb(heapAfter - heapBefore)} for the compiled tables (target ≤ 200 MB)${gc ? '' : ' [run with --expose-gc for exact figures]'}`,
);
console.log(
  `decisions: ${DECISIONS.toLocaleString('en-US')} in ${totalMs.toFixed(0)} ms → ${Math.round((DECISIONS / totalMs) * 1000).toLocaleString('en-US')}/s (${routed} routed)`,
);
console.log(`latency: p50 ${pct(0.5)}, p99 ${pct(0.99)}, p99.9 ${pct(0.999)} (target p99 ≤ 50 µs)`);

// The whole request handling minus HTTP (what every decide pays on top of the engine): relay token
// (constant time), JSON.parse, the contract's zod validation, the engine, JSON.stringify of the answer.
const RELAY = 'bench-relay-token-0123456789';
const handle = createDecideHandler({
  loader: { get: async () => snapshot, invalidate: () => {} },
  relayToken: RELAY,
  nonceSecret: options.nonceSecret,
  now: () => options.now,
  random,
});
const bodies = requests.map((r) => JSON.stringify(r));
const HANDLED = 50_000;
for (let i = 0; i < 10_000; i++) await handle(`Bearer ${RELAY}`, bodies[i & 1023]!); // warm-up
const stage = (fn: (i: number) => unknown) => {
  const s = performance.now();
  for (let i = 0; i < HANDLED; i++) fn(i);
  return ((performance.now() - s) / HANDLED) * 1000;
};
const parsed = bodies.map((b) => decideRequest.parse(JSON.parse(b)));
const answers = parsed.map((r) => decide(r, snapshot, options).response);
const parseUs = stage((i) => JSON.parse(bodies[i & 1023]!));
const validateUs = stage((i) => decideRequest.safeParse(JSON.parse(bodies[i & 1023]!))) - parseUs;
const serializeUs = stage((i) => JSON.stringify(answers[i & 1023]!));
const handledStart = performance.now();
let bytes = 0;
for (let i = 0; i < HANDLED; i++) bytes += (await handle(`Bearer ${RELAY}`, bodies[i & 1023]!)).body.length;
const handledUs = ((performance.now() - handledStart) / HANDLED) * 1000;
console.log(
  `decide handler in process (no HTTP): ${handledUs.toFixed(1)} µs a request → ${Math.round(1e6 / handledUs).toLocaleString('en-US')}/s; ` +
    `of which JSON.parse ${parseUs.toFixed(1)} µs, zod validation ${validateUs.toFixed(1)} µs, ` +
    `JSON.stringify ${serializeUs.toFixed(1)} µs (answer ${Math.round(bytes / HANDLED).toLocaleString('en-US')} bytes on average)`,
);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
