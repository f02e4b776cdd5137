import { z } from '@hono/zod-openapi';
import { type Cdr, cdr, cdrAttempt, cdrSource } from '../../contract/cdr';
import { type CdrRating, cdrRating, ratedAmount } from '../billing/cdr-rating';

/**
 * A CDR as the API answers it: the record as the relay posted it (contract/cdr.ts) and the rating
 * the API added (null: stored before rating existed). The relay never sends `rating`.
 */
export const ratedCdr = z
  .object({ ...cdr.shape, rating: cdrRating.nullable() })
  .openapi('RatedCdr', { description: 'A CDR with its rating (docs/billing.md)' });
export type RatedCdr = z.infer<typeof ratedCdr>;

const ordered = <T extends object>(shape: object, value: T): T =>
  Object.fromEntries(Object.keys(shape).map((k) => [k, value[k as keyof T]])) as T;

/** Who reads a CDR: the operator, or a customer key (its own customer's records). */
export type CdrAudience = 'operator' | 'customer';

/**
 * The rating as `audience` may see it. A customer sees its price, never the buy side: which
 * provider's deck rated the call and what it cost tell the operator's margin.
 *
 * @example
 * ratingFor(rating, 'customer')?.cost; // null
 */
export function ratingFor(rating: CdrRating | null, audience: CdrAudience): CdrRating | null {
  if (!rating || audience === 'operator') return rating;
  return { ...rating, provider_id: null, cost: null, cost_unrated_reason: null };
}

/**
 * A stored record and its rating as `audience` sees it, in the schemas' field order (DynamoDB
 * keeps no order of map keys), so JSON answers read like the schema.
 */
export function cdrView(doc: Cdr, stored: CdrRating | null, audience: CdrAudience): RatedCdr {
  const side = (amount: CdrRating['cost']) => (amount ? ordered(ratedAmount.shape, amount) : null);
  const rating = ratingFor(stored, audience);
  return {
    ...ordered(cdr.shape, doc),
    source: ordered(cdrSource.shape, doc.source),
    attempts: doc.attempts.map((a) => ordered(cdrAttempt.shape, a)),
    rating: rating
      ? { ...ordered(cdrRating.shape, rating), cost: side(rating.cost), price: side(rating.price) }
      : null,
  };
}
