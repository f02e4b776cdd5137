import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  GetCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Store } from './client';
import { keys } from './keys';

/**
 * Reads of the credit accounts' charge markers and day spends (docs/billing.md, "Credit") that CDR
 * ingestion needs before charging: which records of a batch were charged already (a batch sent
 * again skips them at the cost of one read each, not a transaction each), and a day's spend.
 */

/**
 * The ids among `charges` that have their `CHARGE#<cdr id>` marker (strongly consistent).
 *
 * @example
 * const done = await chargedAlready(store, [{ customerId, cdrId }]);
 */
export async function chargedAlready(
  store: Store,
  charges: readonly { customerId: string; cdrId: string }[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < charges.length; i += 100) {
    let request: BatchGetCommandInput['RequestItems'] = {
      [store.tableName]: {
        Keys: charges.slice(i, i + 100).map((c) => keys.creditCharge(c.customerId, c.cdrId)),
        ProjectionExpression: '#sk',
        ExpressionAttributeNames: { '#sk': 'SK' },
        ConsistentRead: true,
      },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0)
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(1_000, 25 * 2 ** attempt)));
      const out: BatchGetCommandOutput = await store.doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[store.tableName] ?? []) {
        found.add(String(item['SK']).slice('CHARGE#'.length));
      }
      request = out.UnprocessedKeys;
    }
  }
  return found;
}

/** What a customer was charged for the calls of a UTC day (`"0"` when nothing). */
export async function daySpend(store: Store, customerId: string, day: string): Promise<string> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: keys.creditSpend(customerId, day),
      ConsistentRead: true,
    }),
  );
  return typeof out.Item?.['amount'] === 'string' ? out.Item['amount'] : '0';
}
