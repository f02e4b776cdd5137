import type { NonceGuard } from '../../cache/nonce-guard';
import type { ProviderLoad } from '../engine/order-routes';
import type { SnapshotLoader } from '../loader/snapshot-loader';

/** What the routing endpoints need; the decision app and the API app both build it. */
export type RoutingDeps = {
  loader: SnapshotLoader;
  /** TANDEM_RELAY_TOKEN: decide answers 503 until it is set. */
  relayToken: string | undefined;
  /** TANDEM_NONCE_SECRET: shared by every instance so any of them verifies a nonce. */
  nonceSecret: string;
  now?: () => number;
  random?: () => number;
  /** Current provider usage and health; none when absent. No app sets them yet (limits and health checks are not built). */
  providerLoad?: () => Readonly<Record<string, ProviderLoad>> | undefined;
  unhealthyProviders?: () => ReadonlySet<string> | undefined;
  /** Refuses a digest answer used twice (answers a fresh challenge instead); none: stateless nonces only. */
  nonceGuard?: NonceGuard;
  /** Told about every wrong digest password (rate limiting, alerts); never gets the password. */
  onAuthFailure?: (event: { sourceIp: string; callId: string }) => void;
};
