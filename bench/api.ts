/**
 * `POST /v1/routing/decide` over HTTP on the local node server (docs/design.md, "Targets"):
 * its own DynamoDB Local, config seeded through the REST API, a warm
 * snapshot, then autocannon (its own process) for requests/s and latency
 * percentiles, and the server's own CPU time (its single thread = one core).
 *
 *   npm run bench:api
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createApp } from '../functions/api';
import {
  createDecideHandler,
  createDecisionApp,
  createRouting,
  decideRequest,
  serveDecision,
} from '../functions/decision';
import { decide } from '../functions/decision/engine';
import { DEFAULT_CUSTOMER_ID } from '../functions/domain/common';
import { createStore, ensureDefaultCustomer, ensureTable } from '../functions/store';
import { startDynamoDbLocal } from '../local/dynamodb-local';

const ADMIN = 'bench-admin-key-0123456789';
const RELAY = 'bench-relay-token-0123456789';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
// Requests in flight at once. A relay keeps about rate x decide latency in flight (1,000 calls/s x
// 0.2 ms = 1 per relay), so 8 is several relays at full load; at 16 the server is only more saturated:
// the same requests/s, and p99 grows with the queue (7–9 ms measured, BENCH_CONNECTIONS=16).
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);

type AutocannonResult = {
  requests: { average: number };
  latency: { p50: number; p97_5: number; p99: number; max: number };
  non2xx: number;
  errors: number;
};

/** `rate`: offered requests/s over all connections; without it autocannon sends as fast as answered. */
function runAutocannon(url: string, body: string, rate?: number): Promise<AutocannonResult> {
  const args = ['-c', String(CONNECTIONS), '-d', String(DURATION_S), '-m', 'POST', '-j'];
  if (rate) args.push('--overallRate', String(rate));
  args.push('-H', `authorization=Bearer ${RELAY}`, '-H', 'content-type=application/json', '-b', body, url);
  return new Promise((resolve, reject) => {
    const child = spawn('node_modules/.bin/autocannon', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as AutocannonResult)
        : reject(new Error(`autocannon exited ${code}`)),
    );
  });
}

const TARGET_RATE = 5_000;

async function measure(url: string, body: string, rate?: number) {
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = await runAutocannon(url, body, rate);
  const cpu = process.cpuUsage(cpuBefore);
  return { result, busy: (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore) };
}

function report(mode: string, result: AutocannonResult, busy: number): void {
  const l = result.latency;
  console.log(
    `decide over HTTP, ${mode} (${CONNECTIONS} connections, ${DURATION_S} s): ` +
      `${Math.round(result.requests.average).toLocaleString('en-US')} req/s, ` +
      `latency p50 ${l.p50} ms, p97.5 ${l.p97_5} ms, p99 ${l.p99} ms, max ${l.max} ms; ` +
      `${result.non2xx} non-2xx, ${result.errors} errors (target ≥ 5,000/s, p99 ≤ 5 ms)`,
  );
  console.log(
    `  server CPU: ${(busy * 100).toFixed(0)}% of one core → ` +
      `${Math.round(result.requests.average / busy).toLocaleString('en-US')} req/s per fully used core; ` +
      `machine load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${cpus().length} cores`,
  );
}

const db = await startDynamoDbLocal();
try {
  const store = createStore({ endpoint: db.endpoint, region: 'us-east-1', tableName: 'bench' });
  await ensureTable(store);
  await ensureDefaultCustomer(store);
  const api = createApp({ store, adminKey: ADMIN });
  const post = async (path: string, body: unknown) => {
    const csv = typeof body === 'string';
    const res = await api.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': csv ? 'text/csv' : 'application/json' },
      body: csv ? body : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };

  console.log('seeding: 10 customers, 10 providers (5,000-prefix decks), 200 routes…');
  const providers: string[] = [];
  for (let i = 0; i < 10; i++) {
    const p = await post('/v1/providers', {
      name: `carrier ${i}`,
      hostname: `sip.c${i}.example`,
      tech_prefix: '99#',
    });
    providers.push(p.id);
    const lines = ['prefix,rate'];
    for (let n = 0; n < 5_000; n++)
      lines.push(`+${1 + (n % 9)}${String(n * 7 + i).padStart(4, '0')},${((n % 97) / 1000).toFixed(3)}`);
    await post(`/v1/rates?provider_id=${p.id}`, `${lines.join('\n')}\n`);
  }
  const countries = ['+1', '+44', '+49', '+33', '+82', '+81', '+86', '+91', '+61', '+55'];
  for (let c = 0; c < 10; c++) {
    const customer = await post('/v1/customers', { name: `customer ${c}` });
    await post('/v1/ipbxs', {
      customer_id: customer.id,
      name: 'pbx',
      hostname: `pbx${c}.example`,
      allowed_sources: [{ cidr: `10.0.${c}.0/24` }],
    });
    for (let r = 0; r < 18; r++) {
      await post('/v1/routes', {
        customer_id: customer.id,
        provider_id: providers[(c + r) % 10],
        target: r % 9 === 8 ? 'all' : countries[r % 10],
        priority: r % 3,
        lcr: r % 2 === 0,
      });
    }
  }
  for (let r = 0; r < 20; r++) {
    await post('/v1/routes', {
      customer_id: DEFAULT_CUSTOMER_ID,
      provider_id: providers[r % 10],
      target: r % 5 === 4 ? 'all' : countries[r % 10],
      priority: r % 4,
    });
  }

  const routing = createRouting(store, { relayToken: RELAY, nonceSecret: 'bench-nonce-secret-0123' });
  // The local decision server: decide straight from node's request (no router, no Request objects),
  // everything else through the Hono app.
  const server = await serveDecision(
    createDecideHandler(routing.deps),
    createDecisionApp({ store, ...routing.deps }).fetch,
    { port: 0 },
  );
  const body = JSON.stringify({
    call_id: 'bench@pbx',
    source: { ip: '10.0.3.7', port: 5060, transport: 'udp' },
    request_uri: 'sip:+821012345678@relay.example',
    from: '"Bench" <sip:+12125550100@pbx3.example>;tag=1',
    to: '<sip:+821012345678@relay.example>',
  });
  const request = {
    method: 'POST' as const,
    headers: { authorization: `Bearer ${RELAY}`, 'content-type': 'application/json' },
    body,
  };
  const warm = await fetch(`${server.url}/v1/routing/decide`, request);
  const text = await warm.text();
  const answer = JSON.parse(text) as { action: string; targets?: unknown[] };
  console.log(
    `warm: ${warm.status} ${answer.action} with ${answer.targets?.length ?? 0} targets, ${Buffer.byteLength(text).toLocaleString('en-US')} bytes`,
  );

  // The same request without HTTP (token, JSON, validation, loader, engine, serialization): what the
  // server adds on top of it is node's HTTP and the loopback TCP stack.
  const handle = createDecideHandler(routing.deps);
  for (let i = 0; i < 5_000; i++) await handle(`Bearer ${RELAY}`, body);
  const inProcessStart = performance.now();
  for (let i = 0; i < 20_000; i++) await handle(`Bearer ${RELAY}`, body);
  const inProcessUs = ((performance.now() - inProcessStart) / 20_000) * 1000;
  const snapshot = await routing.deps.loader.get();
  const parsedRequest = decideRequest.parse(JSON.parse(body));
  const engineOptions = { now: Date.now(), random: Math.random, nonceSecret: routing.deps.nonceSecret };
  const engineStart = performance.now();
  for (let i = 0; i < 20_000; i++) decide(parsedRequest, snapshot, engineOptions);
  const engineUs = ((performance.now() - engineStart) / 20_000) * 1000;
  console.log(
    `the same decide in process, no HTTP: ${inProcessUs.toFixed(1)} µs a request, of which the engine ${engineUs.toFixed(1)} µs`,
  );

  // autocannon runs as its own process, so this process's CPU time is the server's alone.
  const url = `${server.url}/v1/routing/decide`;
  const saturated = await measure(url, body);
  report('as fast as it answers', saturated.result, saturated.busy);
  // Latency at the target rate: at saturation every extra connection only adds queueing time.
  const atTarget = await measure(url, body, TARGET_RATE);
  report(`offered ${TARGET_RATE.toLocaleString('en-US')} req/s`, atTarget.result, atTarget.busy);
  await server.close();
} finally {
  await db.stop();
}
