import { lazyUpstash } from './upstash-client';
import type { VersionCache } from './version-cache';

export type UpstashCacheOptions = {
  url: string;
  token: string;
  /** Key prefix, so several stacks can share one database. */
  prefix?: string;
  /** A Redis call slower than this counts as an outage (the caller falls back to DynamoDB). */
  timeoutMs?: number;
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The version token in Redis over Upstash's REST protocol (settings
 * UPSTASH_REDIS_REST_URL / UPSTASH_REDIS_REST_TOKEN): one INCR per write
 * (plus a per-customer counter for operators' eyes), one GET per check.
 * No retries: a slow or failing Redis is an outage the loader works around.
 *
 * @example
 * const cache = createUpstashCache({ url, token });
 * await cache.bump(customerId);
 * await cache.version(); // 1
 */
export function createUpstashCache(options: UpstashCacheOptions): VersionCache {
  const redis = lazyUpstash({ url: options.url, token: options.token, automaticDeserialization: false });
  const prefix = options.prefix ?? 'tandem';
  const timeoutMs = options.timeoutMs ?? 300;
  const globalKey = `${prefix}:config-version`;
  return {
    kind: 'redis',
    async version() {
      const value = await withTimeout((await redis()).get<string>(globalKey), timeoutMs);
      return value === null ? 0 : Number(value);
    },
    async bump(customerId) {
      const pipeline = (await redis()).pipeline();
      pipeline.incr(globalKey);
      pipeline.incr(`${prefix}:config-version:${customerId}`);
      await withTimeout(pipeline.exec(), timeoutMs);
    },
  };
}
