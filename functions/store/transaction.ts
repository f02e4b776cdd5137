import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Store } from './client';
import { conflict, type HttpError } from './errors';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of a transaction and, when its condition fails, the error the caller gets. */
export type Op = { item: TransactItem; onConditionFailed?: () => HttpError | Promise<HttpError> };

/**
 * Runs all writes as ONE DynamoDB transaction: either every write lands or
 * none does. A failed condition becomes the error of the op that failed.
 *
 * @example
 * await transact(store, [{ item: { Put: {...} }, onConditionFailed: () => conflict('exists') }]);
 */
export async function transact(store: Store, ops: Op[], attempts = 6): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.doc.send(new TransactWriteCommand({ TransactItems: ops.map((op) => op.item) }));
      return;
    } catch (error) {
      // Writes of one customer share its version counter: concurrent ones collide and are retried.
      if (attempt < attempts && isConflictOnly(error)) {
        await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
        continue;
      }
      throw await explain(error, ops);
    }
  }
}

function isConflictOnly(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const reasons = error.CancellationReasons ?? [];
  return (
    reasons.some((r) => r.Code === 'TransactionConflict') &&
    !reasons.some((r) => r.Code === 'ConditionalCheckFailed')
  );
}

async function explain(error: unknown, ops: Op[]): Promise<unknown> {
  if (!(error instanceof TransactionCanceledException)) return error;
  const reasons = error.CancellationReasons ?? [];
  const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
  if (failed >= 0) {
    const handler = ops[failed]?.onConditionFailed;
    return handler ? await handler() : conflict('a condition of the write failed');
  }
  if (reasons.some((r) => r.Code === 'TransactionConflict')) {
    return conflict('the object was changed concurrently; retry');
  }
  return error;
}

/** `ADD version :1` on the customer's config version counter. */
export function bumpVersion(tableName: string, key: { PK: string; SK: string }): Op {
  return {
    item: {
      Update: {
        TableName: tableName,
        Key: key,
        UpdateExpression: 'ADD #v :one',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':one': 1 },
      },
    },
  };
}
