import { z } from '@hono/zod-openapi';
import { currency, DEFAULT_CURRENCY } from '../billing/money';
import { detail, id, name, timestamps } from './common';

/**
 * A customer rate plan: what Tandem charges (sell), a deck of rate lines imported as CSV like a
 * provider's (`POST /v1/rates?rate_plan_id=`) and assigned with the customer's `rate_plan_id`.
 * Operator-owned, like providers.
 */
export const ratePlanInput = z
  .object({
    name,
    detail,
    /** Every line of the plan is in this currency (ISO 4217); Tandem never converts. */
    currency: currency.default(DEFAULT_CURRENCY),
  })
  .openapi('RatePlanInput');

export const ratePlan = ratePlanInput.extend({ id, ...timestamps }).openapi('RatePlan');

/** What the store keeps: the view plus the deck version in force (null: no deck imported). */
export const storedRatePlan = ratePlan.extend({
  rate_deck_version: z.string().nullable().default(null),
});

export type RatePlanInput = z.infer<typeof ratePlanInput>;
export type RatePlan = z.infer<typeof ratePlan>;
export type StoredRatePlan = z.infer<typeof storedRatePlan>;
