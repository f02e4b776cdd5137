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

/**
 * A stored record and its rating in the schemas' field order (DynamoDB keeps no order of map
 * keys), so JSON answers read like the schema.
 */
export function cdrView(doc: Cdr, rating: CdrRating | null): RatedCdr {
  const side = (amount: CdrRating['cost']) => (amount ? ordered(ratedAmount.shape, amount) : null);
  return {
    ...ordered(cdr.shape, doc),
    source: ordered(cdrSource.shape, doc.source),
    attempts: doc.attempts.map((a) => ordered(cdrAttempt.shape, a)),
    rating: rating
      ? { ...ordered(cdrRating.shape, rating), cost: side(rating.cost), price: side(rating.price) }
      : null,
  };
}
