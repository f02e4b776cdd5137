/**
 * How fast a 100k-line rate deck imports through the API (CSV parse and
 * validation, parallel BatchWriteItem, atomic deck switch) on DynamoDB Local.
 *
 *   npm run bench:rates            # 100000 lines
 *   npm run bench:rates -- 250000  # another size
 */
import { createApp } from '../functions/api';
import { createConfigReader, createStore, ensureDefaultCustomer, ensureTable } from '../functions/store';
import { startDynamoDbLocal } from '../local/dynamodb-local';

const lines = Number(process.argv[2] ?? 100_000);
const adminKey = 'bench-admin-key-0123456789';

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
  const csv = [
    'prefix,rate',
    ...Array.from({ length: lines }, (_, i) => `+${100000 + i},${(i % 997) / 1000}`),
  ].join('\n');
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
  const readStarted = performance.now();
  const deck = await createConfigReader(store).rateDeck(provider.id);
  const readMs = performance.now() - readStarted;
  console.log(`config reader rateDeck: ${deck.length} lines in ${(readMs / 1000).toFixed(2)} s`);
} finally {
  await db.stop();
}
