/**
 * How fast a rate deck imports through the API (CSV parse and validation, parallel
 * BatchWriteItem, atomic deck switch) on DynamoDB Local, how fast the decision's config reader
 * reads it back, and what compiling it (compileDeck) costs in time and memory.
 * One line in ten carries every column; one in a hundred has a second line scheduled later.
 *
 *   npm run bench:rates            # 100000 lines
 *   npm run bench:rates -- 1000000 # another size
 */

import { createApp } from '../functions/api';
import { compileDeck, lookupRate } from '../functions/billing/deck';
import { createConfigReader, createStore, ensureDefaultCustomer, ensureTable } from '../functions/store';
import { startDynamoDbLocal } from '../local/dynamodb-local';

const lines = Number(process.argv[2] ?? 100_000);
const adminKey = 'bench-admin-key-0123456789';
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
/** Live heap plus array buffers (the compiled table's typed arrays), after the freed buffers are returned. */
const memory = async () => {
  for (let i = 0; i < 2; i++) {
    gc?.();
    // Array buffers are released by a task after the collection that frees them.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const db = await startDynamoDbLocal();
try {
  const store = createStore({ endpoint: db.endpoint, region: 'us-east-1', tableName: 'tandem-bench' });
  await ensureTable(store);
  await ensureDefaultCustomer(store);
  const app = createApp({ store, adminKey });
  const auth = { authorization: `Bearer ${adminKey}` };
  const created = await app.request('/v1/providers', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench carrier', hostname: 'sip.bench.example' }),
  });
  const provider = (await created.json()) as { id: string };
  const rows = ['prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from'];
  for (let i = 0; rows.length <= lines; i++) {
    const prefix = `+${100000 + i}`;
    const rate = ((i % 997) / 1000).toFixed(3);
    rows.push(i % 10 === 0 ? `${prefix},${rate},0.01,30,6,0,` : `${prefix},${rate}`);
    if (i % 100 === 0 && rows.length <= lines) rows.push(`${prefix},0.5,0,60,60,0,2027-01-01T00:00:00Z`);
  }
  const csv = rows.join('\n');
  for (const round of ['first import', 'replacing import']) {
    const started = performance.now();
    const res = await app.request(`/v1/rates?provider_id=${provider.id}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: csv,
    });
    const ms = performance.now() - started;
    const body = await res.json();
    if (res.status !== 200) throw new Error(`import failed: ${res.status} ${JSON.stringify(body)}`);
    console.log(
      `${round}: ${lines} lines in ${(ms / 1000).toFixed(2)} s (${Math.round(lines / (ms / 1000))} lines/s)`,
    );
  }
  const before = await memory();
  const readStarted = performance.now();
  let deckLines = await createConfigReader(store).rateDeck(provider.id);
  const readMs = performance.now() - readStarted;
  const count = deckLines.length;
  console.log(`config reader rateDeck: ${count} lines in ${(readMs / 1000).toFixed(2)} s`);
  const raw = (await memory()) - before;
  const compileStarted = performance.now();
  const deck = compileDeck(deckLines);
  const compileMs = performance.now() - compileStarted;
  deckLines = [];
  const kept = (await memory()) - before;
  console.log(
    `compileDeck: ${(compileMs / 1000).toFixed(2)} s; raw lines ${mb(raw)}, compiled deck ${mb(kept)} ` +
      `(${(kept / count).toFixed(1)} B/line, ${deck.schedules.length} distinct schedules)`,
  );
  const now = Date.now();
  const lookups = 1_000_000;
  const lookupStarted = performance.now();
  let found = 0;
  for (let i = 0; i < lookups; i++) if (lookupRate(deck, `+${100000 + (i % count)}4567`, now)) found++;
  const lookupMs = performance.now() - lookupStarted;
  console.log(
    `lookupRate: ${((lookupMs * 1000) / lookups).toFixed(2)} µs each (${found} of ${lookups} found)`,
  );
} finally {
  await db.stop();
}
