import { createHmac } from 'node:crypto';

/** The header that carries the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'tandem-signature';
/** The alert's id, the same on every retry: a receiver drops the ones it has seen. */
export const EVENT_ID_HEADER = 'tandem-event-id';

export type WebhookTarget = { url: string; secret: string };

/**
 * The signature of one delivery: HMAC-SHA256 with the shared secret over the timestamp, a dot and
 * the exact body bytes, in hex. The timestamp inside the signed text lets a receiver refuse a
 * replayed delivery (docs/billing.md, "Alerts").
 *
 * @example
 * signature('s3cret-0123456789', 1767225600, '{"id":"…"}'); // 'a1b2…' (64 hex digits)
 */
export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The `Tandem-Signature` header value. */
export const signatureHeader = (secret: string, timestamp: number, body: string) =>
  `t=${timestamp},v1=${signature(secret, timestamp, body)}`;

export type DeliveryOptions = {
  /** Tries in this call (the outbox retries later ones); 3 by default. */
  tries?: number;
  /** Wait before the 2nd try, doubled after each; 250 ms by default. */
  backoffMs?: number;
  /** Each try is abandoned after this; 5 s by default. */
  timeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

export type DeliveryOutcome = { ok: true; status: number } | { ok: false; error: string };

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * POSTs one JSON body to the webhook, signed, retried with backoff on a network error, a timeout,
 * a 429 or a 5xx; a 2xx delivers it. Another answer (4xx) is not retried here: the outbox tries it
 * again later, in case the receiver is being fixed. Redirects are not followed.
 *
 * @example
 * const outcome = await deliver({ url, secret }, 'id-1', JSON.stringify(event));
 */
export async function deliver(
  target: WebhookTarget,
  eventId: string,
  body: string,
  options: DeliveryOptions = {},
): Promise<DeliveryOutcome> {
  const tries = options.tries ?? 3;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? pause;
  let error = 'not tried';
  for (let attempt = 0; attempt < tries; attempt++) {
    if (attempt > 0) await sleep((options.backoffMs ?? 250) * 2 ** (attempt - 1));
    const timestamp = Math.floor(now() / 1000);
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signatureHeader(target.secret, timestamp, body),
          [EVENT_ID_HEADER]: eventId,
        },
        body,
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
      error = `HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) break;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? 'timeout' : (e as Error).message;
    }
  }
  return { ok: false, error };
}
