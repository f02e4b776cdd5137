/**
 * CDRs end to end on DynamoDB Local (docs/cdrs.md): synthetic calls posted
 * through the API app in batches of 500 (records/s), then the operator's CSV
 * export of all of them streamed over the node server of `npm start` (rows/s)
 * while the process's RSS and heap are sampled: the peak growth must stay flat
 * whatever the number of rows, so two sizes are measured side by side (each
 * export in a fresh process, so ingestion's memory is not its baseline). Also:
 * the CPU time of one batch without a store (what a Lambda bills besides
 * DynamoDB's latency) and the DynamoDB item size of a record (its WRUs).
 *
 *   npm run bench:cdr                  # 20000 and 200000 records
 *   npm run bench:cdr -- 100000 1000000
 *   npm run bench:cdr -- --charged [500]  # charging: one customer with a rate plan, one batch
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type Cdr, cdrBatch } from '../contract/cdr';
import { cdrRecord } from '../contract/cdr.fixture';
import { createApp } from '../functions/api';
import { createCdrApp, withoutDecks } from '../functions/cdr';
import { createDecideHandler, createRouting, serveDecision } from '../functions/decision';
import {
  cdrItem,
  createStore,
  ensureDefaultCustomer,
  ensureTable,
  itemSize,
  type Store,
} from '../functions/store';
import { startDynamoDbLocal } from '../local/dynamodb-local';

/** `--export <endpoint> <table> <n>`: the export alone, in a fresh process (a clean RSS baseline). */
const exportOnly = process.argv[2]?.startsWith('--export') ? process.argv.slice(2) : undefined;
/** `--charged [n]`: one batch of `n` answered calls of ONE customer with a rate plan, every record charged. */
const chargedOnly = process.argv[2] === '--charged' ? Number(process.argv[3] ?? 500) : undefined;
const sizes = exportOnly || chargedOnly ? [] : process.argv.slice(2).map(Number);
/** Rows of the export pipeline measured without DynamoDB (a stub store), where 1M rows take seconds. */
const PIPELINE_ROWS = [100_000, 1_000_000];
const [small, large] = sizes.length === 2 ? sizes : [20_000, 200_000];
const ADMIN = 'bench-admin-key-0123456789';
const RELAY = 'bench-relay-token-0123456789';
const BATCH = 500;
/** Batches in flight at once: a few relays draining their spools together. */
const IN_FLIGHT = 4;
const DAYS = 10;
const CUSTOMERS = Array.from({ length: 20 }, () => crypto.randomUUID());
const PROVIDERS = Array.from({ length: 6 }, () => crypto.randomUUID());
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A realistic mix: 70% one attempt, 20% two, 10% three; a third unanswered. */
function synthetic(i: number, n: number): Cdr {
  const at = new Date(Date.UTC(2026, 11, 1) + Math.floor((i / n) * DAYS * 86_400_000)).toISOString();
  const record = cdrRecord({
    at,
    customer_id: CUSTOMERS[i % CUSTOMERS.length]!,
    providerId: PROVIDERS[i % PROVIDERS.length]!,
    caller: `+4930${String(1_000_000 + (i % 900_000))}`,
    callee: `+8210${String(10_000_000 + ((i * 7919) % 90_000_000))}`,
    // A third of the calls unanswered (busy): no answer, nothing billable.
    ...(i % 3 === 0
      ? { final_code: 486, reason: 'Busy Here', tm_answer: null, end_by: null, end_reason: null }
      : {}),
  });
  const extra = i % 10 === 0 ? 2 : i % 10 < 3 ? 1 : 0;
  for (let k = 0; k < extra; k++) {
    record.attempts.unshift({
      ...record.attempts[0]!,
      target_id: PROVIDERS[(i + k + 1) % PROVIDERS.length]!,
      code: 503,
      pdd_ms: null,
    });
  }
  return record;
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** CPU time of one batch through the CDR app when the store answers at once (parse, validate, marshal). */
async function batchCpu(): Promise<number> {
  const send = async () => ({ UnprocessedItems: {} });
  const store = { doc: { send }, raw: {}, tableName: 't' } as unknown as Store;
  const app = createCdrApp({
    store,
    relayToken: RELAY,
    retentionDays: 400,
    log: () => {},
    rating: withoutDecks,
  });
  const body = JSON.stringify({ cdrs: Array.from({ length: BATCH }, (_, i) => synthetic(i, BATCH)) });
  const post = () =>
    app.request('/v1/cdrs', {
      method: 'POST',
      headers: { authorization: `Bearer ${RELAY}`, 'content-type': 'application/json' },
      body,
    });
  for (let i = 0; i < 20; i++) await post();
  const rounds = 100;
  const cpu = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await post();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / rounds;
}

async function ingest(app: ReturnType<typeof createApp>, n: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      const from = next;
      next += BATCH;
      const cdrs = Array.from({ length: Math.min(BATCH, n - from) }, (_, k) => synthetic(from + k, n));
      const t = performance.now();
      const res = await app.request('/v1/cdrs', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${RELAY}`,
          'content-type': 'application/json',
          'idempotency-key': `bench:${from}`,
        },
        body: JSON.stringify({ cdrs }),
      });
      if (res.status !== 200) throw new Error(`batch at ${from}: ${res.status} ${await res.text()}`);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const s = (performance.now() - started) / 1000;
  return { s, perSecond: n / s, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** The operator's export of every record over HTTP, read and dropped as it comes; RSS/heap sampled. */
async function exportAll(url: string, n: number) {
  gc();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  let peakLive = base.heapUsed;
  let ticks = 0;
  const sampler = setInterval(() => {
    // Every 500 ms a full GC first: what is still reachable then is what the export holds (a leak
    // grows it); the other samples show what the process takes while V8 collects as it likes.
    const full = ++ticks % 20 === 0;
    if (full) gc();
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    if (full) peakLive = Math.max(peakLive, m.heapUsed);
  }, 25);
  const started = performance.now();
  const to = new Date(Date.UTC(2026, 11, 1 + DAYS)).toISOString();
  const res = await fetch(`${url}/v1/cdrs/export?from=2026-12-01T00:00:00Z&to=${to}`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
  let lines = 0;
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines++;
  }
  const s = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const rows = lines - 1;
  if (rows !== n) throw new Error(`export: ${rows} rows, expected ${n}`);
  return {
    s,
    rows,
    bytes,
    perSecond: rows / s,
    rss: peakRss - base.rss,
    heap: peakHeap - base.heapUsed,
    live: peakLive - base.heapUsed,
  };
}

/**
 * A store that answers the export's queries as DynamoDB would page them, `n`
 * synthetic records over the 8 shards of 2026-12-05 (nothing on other days):
 * the export pipeline (merge, CSV, node server, client) without DynamoDB.
 */
function stubStore(n: number): Store {
  const template = synthetic(1, 3);
  const newest = Date.parse('2026-12-05T23:00:00.000Z');
  const send = async (command: unknown) => {
    if (!(command instanceof QueryCommand)) return {};
    const input = command.input;
    const pk = String(input.ExpressionAttributeValues?.[':pk']);
    if (!pk.startsWith('CDR#DAY#2026-12-05#')) return { Items: [] };
    const shard = Number(pk.slice(-1));
    const first = input.ExclusiveStartKey ? Number(input.ExclusiveStartKey['i']) + 1 : 0;
    const last = Math.min(n / 8, first + (input.Limit ?? 100));
    const items = [];
    for (let i = first; i < last; i++) {
      const id = crypto.randomUUID();
      const at = new Date(newest - i * 8 - shard).toISOString();
      items.push({ GSI2SK: `${at}#${id}`, doc: { ...template, id, tm_invite: at } });
    }
    return { Items: items, ...(last < n / 8 ? { LastEvaluatedKey: { i: last - 1 } } : {}) };
  };
  return { doc: { send }, raw: {}, tableName: 'stub' } as unknown as Store;
}

/** Serves the API over `store` and exports it from this process; prints the figures as JSON. */
async function exportChild(store: Store, n: number): Promise<never> {
  const routing = createRouting(store, { relayToken: RELAY, nonceSecret: 'bench-nonce-secret-0123456789' });
  const app = createApp({ store, adminKey: ADMIN, routing, cdrLog: () => {} });
  const server = await serveDecision(createDecideHandler(routing.deps), app.fetch, { port: 0 });
  const out = await exportAll(server.url, n);
  await server.close();
  console.log(JSON.stringify(out));
  process.exit(0);
}

/** The export in a fresh node process: ingestion's memory is not its baseline. */
function exportInChild(args: string[], n: number): Awaited<ReturnType<typeof exportAll>> {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), ...args, String(n)],
    { encoding: 'utf8' },
  );
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('{'))
    throw new Error(`export child: ${child.stderr.slice(-2000)}`);
  return JSON.parse(last);
}

const report = (n: number, out: Awaited<ReturnType<typeof exportAll>>) =>
  `${n} rows (${mib(out.bytes)} CSV) in ${out.s.toFixed(1)} s (${Math.round(out.perSecond)} rows/s); ` +
  `peak growth during export: RSS ${mib(out.rss)}, heap ${mib(out.heap)}, live heap after GC ${mib(out.live)}`;

const compare = (label: string, [a, b]: { n: number; out: Awaited<ReturnType<typeof exportAll>> }[]) =>
  `${label}, ${b!.n / a!.n}x the rows: RSS growth ${mib(a!.out.rss)} → ${mib(b!.out.rss)}, ` +
  `heap growth ${mib(a!.out.heap)} → ${mib(b!.out.heap)}, live heap after GC ${mib(a!.out.live)} → ${mib(b!.out.live)}`;

if (exportOnly?.[0] === '--export') {
  const [, endpoint, tableName, n] = exportOnly;
  await exportChild(
    createStore({ endpoint: endpoint!, region: 'us-east-1', tableName: tableName! }),
    Number(n),
  );
}
if (exportOnly?.[0] === '--export-stub')
  await exportChild(stubStore(Number(exportOnly[1])), Number(exportOnly[1]));

/**
 * Charging speed of one customer: `n` answered calls of one customer with a rate plan posted as one
 * batch (sent again on a 503, as the relay does, until 200), against the same batch of a customer
 * without a plan (stored and rated, nothing charged). The difference is the charging.
 */
async function chargedBench(n: number): Promise<never> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-charge-'));
  const db = await startDynamoDbLocal({ dataDir });
  try {
    const store = createStore({
      endpoint: db.endpoint,
      region: 'us-east-1',
      tableName: 'tandem-bench-charge',
    });
    await ensureTable(store);
    await ensureDefaultCustomer(store);
    const app = createApp({ store, adminKey: ADMIN, decision: { relayToken: RELAY }, cdrLog: () => {} });
    const call = async (
      method: string,
      path: string,
      body: string,
      key = ADMIN,
      type = 'application/json',
    ) => {
      const res = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': type },
        body,
      });
      return { status: res.status, body: (await res.json()) as { id?: string; accepted?: number } };
    };
    const created = async (path: string, body: unknown) => {
      const res = await call('POST', path, JSON.stringify(body));
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id!;
    };
    const providerId = await created('/v1/providers', {
      name: 'bench carrier',
      hostname: 'sip.bench.example',
    });
    const planId = await created('/v1/rate-plans', { name: 'bench retail', currency: 'USD' });
    const deck = 'prefix,rate,connect_fee,first_increment_s,next_increment_s\n+82,0.015,0.02,30,6\n';
    for (const owner of [`provider_id=${providerId}`, `rate_plan_id=${planId}`]) {
      const res = await call('POST', `/v1/rates?${owner}`, deck, ADMIN, 'text/csv');
      if (res.status !== 200) throw new Error(`rates: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const planned = await created('/v1/customers', { name: 'bench charged', rate_plan_id: planId });
    const unplanned = await created('/v1/customers', { name: 'bench not charged' });
    const post = async (customerId: string) => {
      const cdrs = Array.from({ length: n }, (_, i) =>
        cdrRecord({
          at: new Date(Date.UTC(2026, 11, 5) + i * 1_000).toISOString(),
          customer_id: customerId,
          providerId,
          callee: `+8210${String(10_000_000 + ((i * 7919) % 90_000_000))}`,
        }),
      );
      const body = JSON.stringify({ cdrs });
      const started = performance.now();
      let tries = 0;
      for (;;) {
        tries++;
        const res = await call('POST', '/v1/cdrs', body, RELAY);
        if (res.status === 200) break;
        if (res.status !== 503) throw new Error(`batch: ${res.status} ${JSON.stringify(res.body)}`);
      }
      return { s: (performance.now() - started) / 1000, tries };
    };
    // A first batch warms the process (JIT, the rating snapshot): neither measured batch pays for it.
    await post(unplanned);
    const plain = await post(unplanned);
    const charged = await post(planned);
    const moves = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :m)',
        ExpressionAttributeValues: { ':pk': `CREDIT#${planned}`, ':m': 'CHARGE#' },
        Select: 'COUNT',
        ConsistentRead: true,
      }),
    );
    if (moves.Count !== n) throw new Error(`charged ${moves.Count} of ${n}`);
    const charging = charged.s - plain.s;
    console.log(
      `one customer, one batch of ${n} answered calls: not charged ${plain.s.toFixed(2)} s ` +
        `(${Math.round(n / plain.s)} records/s); charged ${charged.s.toFixed(2)} s in ${charged.tries} ` +
        `post(s) (${Math.round(n / charged.s)} records/s); the charging alone ${charging.toFixed(2)} s ` +
        `(${Math.round(n / charging)} records/s)`,
    );
  } finally {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}
if (chargedOnly !== undefined) await chargedBench(chargedOnly);

console.log(
  `node ${process.version}, batches of ${BATCH}, ${IN_FLIGHT} in flight, ${DAYS} days, ${CUSTOMERS.length} customers`,
);
const sample = Array.from({ length: 1_000 }, (_, i) => synthetic(i, 1_000));
if (!cdrBatch.safeParse({ cdrs: sample.slice(0, BATCH) }).success)
  throw new Error('synthetic records are invalid');
const jsonBytes = sample.reduce((s, r) => s + JSON.stringify(r).length, 0) / sample.length;
const itemSizes = sample.map((r) => itemSize(cdrItem(r, 400)));
const wru = itemSizes.reduce((s, b) => s + 3 * Math.ceil(b / 1024), 0) / sample.length;
console.log(
  `record: ${Math.round(jsonBytes)} B of JSON; item ${Math.round(itemSizes.reduce((a, b) => a + b) / itemSizes.length)} B average, ` +
    `${Math.max(...itemSizes)} B largest; ${wru.toFixed(2)} WRU per record (table + GSI1 + GSI2)`,
);
console.log(`one batch of ${BATCH} without a store: ${(await batchCpu()).toFixed(1)} ms CPU`);

const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-cdr-'));
const db = await startDynamoDbLocal({ dataDir });
try {
  const results: { n: number; out: Awaited<ReturnType<typeof exportAll>> }[] = [];
  for (const n of [small!, large!]) {
    const store = createStore({
      endpoint: db.endpoint,
      region: 'us-east-1',
      tableName: `tandem-bench-cdr-${n}`,
    });
    await ensureTable(store);
    await ensureDefaultCustomer(store);
    const app = createApp({ store, adminKey: ADMIN, decision: { relayToken: RELAY }, cdrLog: () => {} });
    const stored = await ingest(app, n);
    console.log(
      `${n} records: ingested in ${stored.s.toFixed(1)} s (${Math.round(stored.perSecond)} records/s; ` +
        `batch p50 ${stored.p50.toFixed(0)} ms, p99 ${stored.p99.toFixed(0)} ms)`,
    );
    const out = exportInChild(['--export', db.endpoint, store.tableName], n);
    console.log(`${n} records: exported ${report(n, out)}`);
    results.push({ n, out });
  }
  console.log(compare('export memory on DynamoDB Local', results));
  const pipeline = PIPELINE_ROWS.map((n) => ({ n, out: exportInChild(['--export-stub'], n) }));
  for (const { n, out } of pipeline) console.log(`export pipeline, stub store: ${report(n, out)}`);
  console.log(compare('export memory of the pipeline (stub store)', pipeline));
} finally {
  await db.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
