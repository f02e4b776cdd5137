import type { NonceGuard } from '../../cache/nonce-guard';
import type { SnapshotLoader } from '../loader/snapshot-loader';
import type { CreditAccounts } from './credit-check';

/** What the routing endpoints need; the decision app and the API app both build it. */
export type RoutingDeps = {
  loader: SnapshotLoader;
  /** TANDEM_RELAY_TOKEN: decide answers 503 until it is set. */
  relayToken: string | undefined;
  /** TANDEM_NONCE_SECRET: shared by every instance so any of them verifies a nonce. */
  nonceSecret: string;
  now?: () => number;
  random?: () => number;
  /**
   * Simulate only: the providers relay sites report down at `now` (ms), ordered last as decide
   * orders a relay's `down_providers`. Absent: none (simulate then knows only what its request
   * names). Decide never reads it: each relay sends the view of its own site.
   */
  downProviders?: (now: number) => Promise<readonly string[]>;
  /** Refuses a digest answer used twice (answers a fresh challenge instead); none: stateless nonces only. */
  nonceGuard?: NonceGuard;
  /**
   * The customers' credit accounts: decide refuses what a customer cannot pay and holds the price
   * of a routed call's time (credit-check.ts). None: no credit check (engine tests, benchmarks).
   */
  credit?: CreditAccounts;
  /** Told about every wrong digest password (rate limiting, alerts); never gets the password. */
  onAuthFailure?: (event: { sourceIp: string; callId: string }) => void;
};
