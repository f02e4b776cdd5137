import type { SipResponse } from '../sip/message';

/** Codes a proxy prefers within the chosen 4xx class (RFC 3261 §16.7 step 6). */
const preferred4xx = [401, 407, 415, 420, 484];

/**
 * The response a proxy sends upstream when every branch failed (RFC 3261
 * §16.7 step 6): a 6xx wins; otherwise the lowest class, preferring the codes
 * that let the caller fix its request; with nothing received, 408. Returns
 * the index in `responses` or -1 for "generate 408".
 *
 * @example
 * chooseBest([503, 486].map(r)); // 1 (the 486: 4xx is lower than 5xx)
 */
export function chooseBest(responses: readonly SipResponse[]): number {
  if (responses.length === 0) return -1;
  const six = responses.findIndex((r) => r.status >= 600);
  if (six >= 0) return six;
  const lowestClass = Math.min(...responses.map((r) => Math.floor(r.status / 100)));
  const inClass = responses
    .map((r, i) => [r, i] as const)
    .filter(([r]) => Math.floor(r.status / 100) === lowestClass);
  const pref = inClass.find(([r]) => preferred4xx.includes(r.status));
  return (pref ?? inClass[0]!)[1];
}

/**
 * A 503 is forwarded as 500 (§16.7 step 6): the downstream server being
 * unavailable does not mean this proxy is.
 */
export function upstreamStatus(status: number): number {
  return status === 503 ? 500 : status;
}
