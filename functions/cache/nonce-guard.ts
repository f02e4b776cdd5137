import { lazyUpstash } from './upstash-client';

/**
 * Shared memory of accepted digest answers (nonce + nc + cnonce), so the same
 * answer is accepted once: what a stateless nonce alone cannot prevent.
 * `firstUse` answers true the first time a key is seen within `ttlS`.
 * An unreachable store answers true (fail open: digest and the nonce binding
 * still hold; replay protection is the extra layer that degrades).
 */
export type NonceGuard = { firstUse(key: string, ttlS: number): Promise<boolean> };

/**
 * One process only (local stack, tests).
 *
 * @example
 * const guard = createMemoryNonceGuard(() => Date.now());
 * await guard.firstUse('n:00000001:c', 300); // true, then false
 */
export function createMemoryNonceGuard(now: () => number = Date.now): NonceGuard {
  const seen = new Map<string, number>();
  return {
    async firstUse(key, ttlS) {
      const t = now();
      if (seen.size > 100_000) for (const [k, until] of seen) if (until <= t) seen.delete(k);
      const until = seen.get(key);
      if (until !== undefined && until > t) return false;
      seen.set(key, t + ttlS * 1000);
      return true;
    },
  };
}

/**
 * Cluster-wide, in Redis: `SET key 1 NX EX ttl`.
 *
 * @example
 * const guard = createUpstashNonceGuard({ url, token });
 */
export function createUpstashNonceGuard(options: {
  url: string;
  token: string;
  prefix?: string;
  timeoutMs?: number;
}): NonceGuard {
  const redis = lazyUpstash({ url: options.url, token: options.token });
  const prefix = options.prefix ?? 'tandem';
  const timeoutMs = options.timeoutMs ?? 300;
  return {
    async firstUse(key, ttlS) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const set = (await redis()).set(`${prefix}:digest:${key}`, 1, { nx: true, ex: ttlS });
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        });
        const result = await Promise.race([set, timeout]);
        return result !== null; // 'OK' first time, null when the key exists; timeout: fail open
      } catch {
        return true;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
