import {
  createMemoryCache,
  createMemoryNonceGuard,
  createUpstashCache,
  createUpstashNonceGuard,
  type VersionCache,
} from '../cache';
import { logLine } from '../http/log';
import { record, watchSnapshotAge } from '../metrics/figures';
import type { Store } from '../store/client';
import { createConfigReader } from '../store/config-reader';
import { creditAccounts } from '../store/credit';
import type { RoutingDeps } from './http/routing-deps';
import { createSnapshotLoader, type LoaderEvent } from './loader/snapshot-loader';

export type RoutingSettings = {
  relayToken?: string | undefined;
  nonceSecret?: string | undefined;
  upstashUrl?: string | undefined;
  upstashToken?: string | undefined;
  /** Key prefix in Redis (several stacks may share one database). */
  cachePrefix?: string | undefined;
  /** `background` for a long-running server (snapshot-loader.ts); Lambda keeps the default, `inline`. */
  revalidate?: 'inline' | 'background' | undefined;
};

/** One JSON log line per loader event (never request data or secrets), and its figure. */
function logEvent(event: LoaderEvent): void {
  if (event.type === 'build' || event.type === 'refresh') {
    record({ kind: 'snapshot_compile', type: event.type, seconds: event.ms / 1000 });
  } else if (event.type === 'cache_down' || event.type === 'refresh_failed') {
    record({ kind: 'cache_error', type: event.type });
    logLine({ level: 'warn', msg: `decision: ${event.type}`, error: event.error });
  } else if (event.type === 'unsupported_patterns') {
    // Rules stored before patterns were checked with RE2: skipped until the profile is fixed.
    logLine({ level: 'warn', msg: 'decision: unsupported_patterns', profiles: event.profiles });
  }
}

/** The version cache the settings ask for: Upstash Redis when configured, else in-process. */
export function createVersionCache(settings: RoutingSettings): VersionCache {
  return settings.upstashUrl && settings.upstashToken
    ? createUpstashCache({
        url: settings.upstashUrl,
        token: settings.upstashToken,
        prefix: settings.cachePrefix,
      })
    : createMemoryCache();
}

/**
 * Wires the decision for one process: the config reader, the version cache,
 * the snapshot loader, and `onConfigWrite`, the hook the API calls after a
 * successful write so every instance sees it within a second.
 *
 * @example
 * const routing = createRouting(store, { relayToken, nonceSecret, upstashUrl, upstashToken });
 * app.route('/', decideRoutes(routing.deps));
 * await routing.onConfigWrite(customerId);
 */
export function createRouting(store: Store, settings: RoutingSettings, cache = createVersionCache(settings)) {
  if (!settings.nonceSecret && settings.relayToken) {
    // Without a shared secret only this process can verify its nonces: fine locally, wrong in a fleet.
    logLine({ level: 'warn', msg: 'decision: TANDEM_NONCE_SECRET unset, using a random one' });
  }
  const loader = createSnapshotLoader({
    reader: createConfigReader(store),
    cache,
    onEvent: logEvent,
    onLookup: (result) => record({ kind: 'snapshot_lookup', result }),
    ...(settings.revalidate ? { revalidate: settings.revalidate } : {}),
  });
  watchSnapshotAge(() => loader.checkedAt?.());
  const deps: RoutingDeps = {
    loader,
    relayToken: settings.relayToken,
    nonceSecret: settings.nonceSecret ?? crypto.randomUUID(),
    credit: creditAccounts(store),
    nonceGuard:
      settings.upstashUrl && settings.upstashToken
        ? createUpstashNonceGuard({
            url: settings.upstashUrl,
            token: settings.upstashToken,
            prefix: settings.cachePrefix,
          })
        : createMemoryNonceGuard(),
  };
  return {
    deps,
    cache,
    /** Never throws: a Redis outage must not fail a write that DynamoDB already committed. */
    async onConfigWrite(customerId?: string): Promise<void> {
      loader.invalidate();
      try {
        await cache.bump(customerId ?? 'unknown');
      } catch (error) {
        logLine({ level: 'warn', msg: 'decision: version bump failed', error: (error as Error).message });
      }
    },
  };
}

export type Routing = ReturnType<typeof createRouting>;
