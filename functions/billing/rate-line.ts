import { z } from '@hono/zod-openapi';
import { e164Prefix } from '../domain/common';
import { money } from './money';

/** How long a rate may bill in one step, and the longest minimum: one hour. */
export const MAX_INCREMENT_S = 3600;

/** Whole seconds from `min` to MAX_INCREMENT_S, one message for every way to miss. */
const seconds = (min: number) => {
  const error = `must be a whole number of seconds from ${min} to ${MAX_INCREMENT_S}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(MAX_INCREMENT_S, { error });
};

/**
 * One line of a rate deck: a provider's deck (what Tandem pays) or a customer rate plan (what it
 * charges) share it. Several lines may share a prefix with different `effective_from`; the one in
 * force at a call's start applies (docs/billing.md).
 */
export const rateLine = z
  .object({
    prefix: e164Prefix.openapi({ example: '+8210' }),
    /** Per minute, in the deck's currency. */
    rate: money,
    /** Charged once when the call is answered. */
    connect_fee: money.default('0'),
    /** The first billing step, seconds: a 1 s call bills this much. */
    first_increment_s: seconds(1).default(60),
    /** Every later step, seconds. */
    next_increment_s: seconds(1).default(60),
    /** An answered call bills at least this long, seconds. */
    minimum_s: seconds(0).default(0),
    /**
     * When the line starts to apply (UTC). Null: always — in force at once, and for earlier calls
     * when they are re-rated.
     */
    effective_from: z.iso.datetime({ offset: true }).nullable().default(null),
  })
  .openapi('RateLine');
export type RateLine = z.infer<typeof rateLine>;

/** A line's start as epoch ms; -Infinity when it has none. */
export const effectiveFromMs = (line: Pick<RateLine, 'effective_from'>) =>
  line.effective_from === null ? Number.NEGATIVE_INFINITY : Date.parse(line.effective_from);

/**
 * The line of a prefix's schedule in force at `atMs`: the latest that started at or before it.
 *
 * @example
 * inForce([{ ...a, effective_from: null }, { ...b, effective_from: '2027-01-01T00:00:00Z' }], Date.parse('2026-12-31T23:59:59Z')); // a
 */
export function inForce<T extends Pick<RateLine, 'effective_from'>>(
  schedule: readonly T[],
  atMs: number,
): T | undefined {
  let found: T | undefined;
  let foundFrom = Number.NEGATIVE_INFINITY;
  for (const line of schedule) {
    const from = effectiveFromMs(line);
    if (from <= atMs && (found === undefined || from >= foundFrom)) {
      found = line;
      foundFrom = from;
    }
  }
  return found;
}
