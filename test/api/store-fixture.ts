import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createStore, ensureDefaultCustomer, ensureTable, type Store } from '../../functions/store';

/** A fresh table on the run's DynamoDB Local (each test file its own), with the default customer. */
export async function freshStore(): Promise<Store> {
  const store = createStore({
    endpoint: inject('dynamodbEndpoint'),
    region: 'us-east-1',
    tableName: `tandem-test-${randomBytes(6).toString('hex')}`,
  });
  await ensureTable(store);
  await ensureDefaultCustomer(store);
  return store;
}
