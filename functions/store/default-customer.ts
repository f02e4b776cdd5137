import { DEFAULT_CUSTOMER_ID } from '../domain';
import type { Store } from './client';
import { keys } from './keys';
import { resources } from './resources';
import { bumpVersion, transact } from './transaction';
import { objectItem } from './write-ops';

/**
 * Creates the default customer (system-wide routes, global objects) if it is
 * missing. Idempotent: a second call changes nothing.
 *
 * @example
 * await ensureDefaultCustomer(store);
 */
export async function ensureDefaultCustomer(store: Store, now: () => Date = () => new Date()): Promise<void> {
  const doc = {
    name: 'default',
    detail: 'System-wide routes and global objects',
    id: DEFAULT_CUSTOMER_ID,
    tm_create: now().toISOString(),
    tm_update: null,
    tm_delete: null,
  };
  try {
    await transact(store, [
      {
        item: {
          Put: {
            TableName: store.tableName,
            Item: objectItem(resources.customer, doc, 0),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      },
      bumpVersion(store.tableName, keys.version(DEFAULT_CUSTOMER_ID)),
    ]);
  } catch (error) {
    if ((error as { status?: number }).status !== 409) throw error;
  }
}
