/**
 * Where instances learn that configuration changed. DynamoDB keeps the truth
 * (per-customer version counters); a VersionCache holds one global token that
 * every successful API write bumps, so a decision instance polls one cheap key
 * instead of DynamoDB. A cache that cannot answer throws: callers degrade to
 * DynamoDB reads, never to errors.
 */
export type VersionCache = {
  readonly kind: 'memory' | 'redis';
  /** The current global config token (0 when never bumped). Throws when unreachable. */
  version(): Promise<number>;
  /** Called after a successful config write of `customerId`. Throws when unreachable. */
  bump(customerId: string): Promise<void>;
};
