import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { throttling } from './scripted-store.fixture';
import { transientStoreError } from './transient';

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('transientStoreError', () => {
  it('passes throttling and transaction conflicts: a later try can succeed', () => {
    expect(transientStoreError(throttling())).toBe(true);
    expect(transientStoreError(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(transientStoreError(cancelled('ThrottlingError', 'None'))).toBe(true);
    expect(
      transientStoreError(Object.assign(new Error('conflict'), { name: 'TransactionConflictException' })),
    ).toBe(true);
  });

  it('refuses failed conditions, bad requests and anything else: the same request fails again', () => {
    expect(transientStoreError(cancelled('ConditionalCheckFailed', 'TransactionConflict'))).toBe(false);
    expect(transientStoreError(cancelled('ValidationError'))).toBe(false);
    expect(transientStoreError(cancelled())).toBe(false);
    expect(
      transientStoreError(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} })),
    ).toBe(false);
    expect(transientStoreError(new TypeError('a bug'))).toBe(false);
    expect(transientStoreError('not an error')).toBe(false);
  });
});
