import type { VersionCache } from './version-cache';

/**
 * The in-process cache: instant invalidation inside one process (the local
 * stack runs the API and the decision together). Other processes still see
 * writes through the loader's periodic DynamoDB check.
 *
 * @example
 * const cache = createMemoryCache();
 * await cache.bump(customerId); // loaders sharing `cache` rebuild on their next check
 */
export function createMemoryCache(): VersionCache {
  let token = 0;
  return {
    kind: 'memory',
    version: async () => token,
    bump: async () => {
      token++;
    },
  };
}
