import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { Store } from './client';
import { GSI1, GSI2 } from './keys';

const S = 'S' as const;

/**
 * Creates Tandem's single table with its two GSIs if it is missing, waits
 * until it is ACTIVE and turns TTL on (`expires_at`). Safe to call on every start.
 *
 * @example
 * await ensureTable(store);
 */
export async function ensureTable(store: Store, tableName = store.tableName): Promise<void> {
  if (!(await tableStatus(store, tableName))) {
    try {
      await store.raw.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: ['PK', 'SK', GSI1.pk, GSI1.sk, GSI2.pk, GSI2.sk].map((name) => ({
            AttributeName: name,
            AttributeType: S,
          })),
          KeySchema: [
            { AttributeName: 'PK', KeyType: 'HASH' },
            { AttributeName: 'SK', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [GSI1, GSI2].map((gsi) => ({
            IndexName: gsi.name,
            KeySchema: [
              { AttributeName: gsi.pk, KeyType: 'HASH' as const },
              { AttributeName: gsi.sk, KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }),
      );
    } catch (error) {
      // Another process created it between our describe and create: fine.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  await waitActive(store, tableName);
  await ensureTtl(store, tableName);
}

async function tableStatus(store: Store, tableName: string): Promise<string | undefined> {
  try {
    const out = await store.raw.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function waitActive(store: Store, tableName: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await tableStatus(store, tableName)) === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
}

async function ensureTtl(store: Store, tableName: string): Promise<void> {
  const ttl = await store.raw.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await store.raw.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    }),
  );
}
