import { Redis } from '@upstash/redis';

export type UpstashClientOptions = { url: string; token: string; automaticDeserialization?: boolean };

/**
 * The Upstash client, created on first use rather than during a Lambda's
 * cold init (the version cache and the nonce guard each hold one).
 *
 * @example
 * const redis = lazyUpstash({ url, token });
 * await redis().get('key');
 */
export function lazyUpstash(options: UpstashClientOptions): () => Redis {
  let client: Redis | undefined;
  // No retries: a slow or failing Redis is an outage the callers work around.
  return () => (client ??= new Redis({ ...options, retry: false, enableTelemetry: false }));
}
