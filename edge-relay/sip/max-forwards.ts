import { header, type SipRequest, withHeader } from './message';

export const DEFAULT_MAX_FORWARDS = 70;

/** Max-Forwards as a number; a missing or unreadable value counts as the default (we add it when forwarding). */
export function maxForwards(request: SipRequest): number {
  const value = header(request, 'max-forwards');
  if (value === undefined || !/^\d{1,3}$/.test(value)) return DEFAULT_MAX_FORWARDS;
  return Number(value);
}

/**
 * The request as forwarded: Max-Forwards decremented, or added as 70 when
 * missing (RFC 3261 §16.6 step 3). Callers check `maxForwards(...) === 0`
 * first and answer 483 instead.
 */
export function decrementMaxForwards(request: SipRequest): SipRequest {
  if (header(request, 'max-forwards') === undefined) {
    return withHeader(request, 'Max-Forwards', String(DEFAULT_MAX_FORWARDS));
  }
  return withHeader(request, 'Max-Forwards', String(Math.max(0, maxForwards(request) - 1)));
}
