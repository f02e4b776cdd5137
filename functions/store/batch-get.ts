import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { backoff } from './backoff';
import type { Store } from './client';

/** Keys of one BatchGetItem request (DynamoDB's limit). */
const BATCH_GET = 100;

type Key = { PK: string; SK: string };

/**
 * The items among `keys` that exist, read strongly consistent with only the `attributes` named,
 * in no particular order. Requests of 100 keys run at once; keys DynamoDB leaves unprocessed are
 * read again after a jittered backoff (25 ms doubling, capped at 1 s).
 *
 * @example
 * const items = await batchGet(store, ids.map(keys.cdr), ['PK', 'rating']);
 */
export async function batchGet(
  store: Store,
  keys: readonly Key[],
  attributes: readonly string[],
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
  const read = async (slice: readonly Key[]) => {
    let request: BatchGetCommandInput['RequestItems'] = {
      [store.tableName]: {
        Keys: [...slice],
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        ConsistentRead: true,
      },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt, 25, 1_000);
      const out: BatchGetCommandOutput = await store.doc.send(new BatchGetCommand({ RequestItems: request }));
      found.push(...(out.Responses?.[store.tableName] ?? []));
      request = out.UnprocessedKeys;
    }
  };
  const slices: Key[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET) slices.push(keys.slice(i, i + BATCH_GET));
  await Promise.all(slices.map(read));
  return found;
}
