import type { Redis } from '@upstash/redis';

export type UpstashClientOptions = { url: string; token: string; automaticDeserialization?: boolean };

/**
 * The Upstash client, created on first use rather than during a Lambda's
 * cold init (the version cache and the nonce guard each hold one). Its
 * library (78 KiB) is imported then too: in the API function only writes and
 * simulations reach Redis, and the bundle keeps it in a chunk of its own.
 *
 * @example
 * const redis = lazyUpstash({ url, token });
 * await (await redis()).get('key');
 */
export function lazyUpstash(options: UpstashClientOptions): () => Promise<Redis> {
  let client: Promise<Redis> | undefined;
  // No retries: a slow or failing Redis is an outage the callers work around.
  return () =>
    (client ??= import('@upstash/redis').then(
      ({ Redis }) => new Redis({ ...options, retry: false, enableTelemetry: false }),
    ));
}
