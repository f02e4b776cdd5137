import { type RateLine, rateLine } from './rate-line';

/** Billed by the second. */
export const PER_SECOND = { first_increment_s: 1, next_increment_s: 1 } as const;

/**
 * A rate line for tests, with the format's defaults (the schema's own) for what `extra` leaves out.
 *
 * @example
 * rateLineOf('+33', '0.01', PER_SECOND); // connect_fee '0', minimum_s 0, effective_from null
 */
export function rateLineOf(prefix: string, rate: string, extra: Partial<RateLine> = {}): RateLine {
  return rateLine.parse({ prefix, rate, ...extra });
}
