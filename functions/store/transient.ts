import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** DynamoDB's names for "too fast"; after the SDK's own retries they mean: come back later. */
export const THROTTLED = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

/** Errors of one request that another transaction on the same items caused. */
const CONFLICTS = new Set(['TransactionConflictException', 'TransactionInProgressException']);

/** Cancellation reasons that a later try can get past (none of them is a failed condition or a bad request). */
const PASSING_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

/**
 * A DynamoDB error that says "not now" rather than "wrong": throttling, or a transaction that
 * collided with another. The request sent again later can succeed; anything else (a bad request,
 * a failed condition nobody handled, a bug) would fail the same way.
 *
 * @example
 * if (transientStoreError(error)) return retryLater();
 */
export function transientStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (THROTTLED.has(error.name) || CONFLICTS.has(error.name)) return true;
  if (!(error instanceof TransactionCanceledException)) return false;
  const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None').filter((c) => c !== 'None');
  return codes.length > 0 && codes.every((c) => PASSING_REASONS.has(c));
}
