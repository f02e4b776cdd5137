import { z } from '@hono/zod-openapi';
import { money } from '../billing/money';

/**
 * The most a customer's calls may be charged in one UTC day, in its rate plan's currency; null: no
 * limit. Reached, the decision refuses its new calls (`daily_spend_limit`).
 */
const dailySpendLimit = money.nullable().default(null).openapi({ example: '100' });

/** Calls are charged after the fact; the balance may go down to −`credit_limit` (null: without limit). */
export const postpaidBilling = z
  .object({
    mode: z.literal('postpaid'),
    credit_limit: money.nullable().default(null).openapi({ example: '500' }),
    daily_spend_limit: dailySpendLimit,
  })
  .openapi('PostpaidBilling');

/** Calls are paid from the balance, which may not go below zero: a call gets the time it can pay. */
export const prepaidBilling = z
  .object({ mode: z.literal('prepaid'), daily_spend_limit: dailySpendLimit })
  .openapi('PrepaidBilling');

/**
 * How a customer pays for its calls (docs/billing.md, "Credit"). The balance itself is no field of
 * the customer: `GET/POST /v1/customers/{id}/balance` read and move it.
 */
export const customerBilling = z
  .discriminatedUnion('mode', [postpaidBilling, prepaidBilling])
  .openapi('CustomerBilling');
export type CustomerBilling = z.infer<typeof customerBilling>;

/** What a customer without `billing` gets: postpaid without limits, which changes nothing. */
export function defaultCustomerBilling(): CustomerBilling {
  return { mode: 'postpaid', credit_limit: null, daily_spend_limit: null };
}

/** True when the decision must read the customer's credit account before routing its calls. */
export function hasCreditControl(billing: CustomerBilling): boolean {
  return billing.mode === 'prepaid' || billing.credit_limit !== null || billing.daily_spend_limit !== null;
}
