import type { Cdr } from '../../contract/cdr';
import type { SpendAlerts } from '../alerts/spend-alerts';
import type { CdrRating } from '../billing/cdr-rating';
import { compareMoney } from '../billing/money';
import { cdrDay } from '../store/cdrs';
import type { Store } from '../store/client';
import { type ChargeResult, chargeCall } from '../store/credit';
import { chargedAlready, daySpend } from '../store/credit-charges';
import type { RatingContext } from './rating-source';

/** Customers charged at once; one customer's records go one at a time (they move one account). */
const CUSTOMERS_IN_FLIGHT = 8;

/** The charges took longer than their budget: some are left for the batch sent again. */
export class ChargeBudgetExceeded extends Error {
  constructor(readonly charged: number) {
    super(`the charges took longer than their budget (${charged} charged); the rest on the next try`);
    this.name = 'ChargeBudgetExceeded';
  }
}

/** One charge to make: what `chargeCall` takes, from a rated record. */
export type PendingCharge = {
  customerId: string;
  cdrId: string;
  callId: string;
  amount: string;
  currency: string;
  day: string;
};

/**
 * The charges of a rated batch (pure): one per record whose customer has a rate plan and whose
 * call is outbound (a `rate_plan_id` in its rating), the price or `"0"` when not answered or not
 * priced (which still releases the call's hold). Records without a customer, inbound and on-net
 * calls, and customers without a plan are not charged: nothing was held for them. The spend
 * counts to the UTC day of the INVITE, the day the CDR is listed under.
 *
 * @example
 * chargesOf(records, ratings, (customerId) => 'USD');
 */
export function chargesOf(
  records: readonly Cdr[],
  ratings: ReadonlyMap<string, CdrRating>,
  planCurrency: (customerId: string) => string | undefined,
): PendingCharge[] {
  const charges: PendingCharge[] = [];
  for (const record of records) {
    const rating = ratings.get(record.id);
    if (!rating || record.customer_id === null || rating.rate_plan_id === null) continue;
    const currency = rating.price?.currency ?? planCurrency(record.customer_id);
    if (!currency) continue;
    charges.push({
      customerId: record.customer_id,
      cdrId: record.id,
      callId: record.call_id,
      amount: rating.price?.amount ?? '0',
      currency,
      day: cdrDay(record.tm_invite),
    });
  }
  return charges;
}

/**
 * Charges a batch's records (each exactly once: `chargeCall`'s `CHARGE#<cdr id>` marker) and
 * raises the daily spend alert of each customer whose spend of the day reached its limit. Resolves
 * once every charge and alert is durably written; a failure rejects (the batch is answered 503 and
 * sent again: what was charged is not charged twice).
 *
 * @example
 * await chargeBatch(store, chargesOf(records, ratings, currency), context, alerts);
 */
export async function chargeBatch(
  store: Store,
  charges: readonly PendingCharge[],
  context: RatingContext,
  alerts: SpendAlerts | undefined,
  options: { deadline?: number; now?: () => number } = {},
): Promise<{ charged: number }> {
  const now = options.now ?? Date.now;
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  // A batch sent again (after a 503, a lost answer) skips what is charged with one read each.
  const done = await chargedAlready(store, charges);
  const byCustomer = new Map<string, PendingCharge[]>();
  for (const c of charges) {
    if (!done.has(c.cdrId)) byCustomer.set(c.customerId, [...(byCustomer.get(c.customerId) ?? []), c]);
  }
  const queue = [...byCustomer.values()];
  let charged = 0;
  let failure: unknown;
  const worker = async () => {
    for (let list = queue.shift(); list && failure === undefined; list = queue.shift()) {
      for (const c of list) {
        if (failure !== undefined) return;
        // Past the budget the batch is answered 503 before the function's timeout; sent again, it
        // charges the rest.
        if (now() >= deadline) throw new ChargeBudgetExceeded(charged);
        const limit = context.dailySpendLimit(c.customerId);
        const result = await chargeCall(store, {
          ...c,
          at: new Date(now()).toISOString(),
          ...(limit !== undefined ? { dailySpendLimit: limit } : {}),
        });
        if (result.charged) charged++;
        if (alerts && reachedLimit(result)) await alerts.raise(alertOf(c, result));
      }
    }
  };
  // Every worker stops at its next record once one fails; the batch waits for all before answering.
  await Promise.all(
    Array.from({ length: Math.min(CUSTOMERS_IN_FLIGHT, queue.length) }, () =>
      worker().catch((error: unknown) => {
        failure ??= error;
      }),
    ),
  );
  if (failure !== undefined) throw failure;
  // Records charged by an earlier try whose alert that try did not write (it failed after the
  // charge): the day's spend says whether the limit is reached.
  if (alerts) {
    const skipped = new Map(
      charges.filter((c) => done.has(c.cdrId)).map((c) => [`${c.customerId}#${c.day}`, c]),
    );
    for (const c of skipped.values()) {
      const limit = context.dailySpendLimit(c.customerId);
      if (limit === null || limit === undefined) continue;
      const spend = await daySpend(store, c.customerId, c.day);
      if (compareMoney(spend, limit) >= 0) {
        await alerts.raise({ customerId: c.customerId, day: c.day, spend, limit, currency: c.currency });
      }
    }
  }
  return { charged };
}

/**
 * The day's spend is at or over the limit. Not only when this charge crossed it: a batch answered
 * 503 after its charge and before its alert is sent again, finds the record charged, and must still
 * raise the alert (written once per customer and day whatever the number of tries).
 */
function reachedLimit(result: ChargeResult): result is ChargeResult & { dailyLimit: string } {
  return result.dailyLimit !== null && compareMoney(result.spendToday, result.dailyLimit) >= 0;
}

const alertOf = (c: PendingCharge, result: ChargeResult & { dailyLimit: string }) => ({
  customerId: c.customerId,
  day: c.day,
  spend: result.spendToday,
  limit: result.dailyLimit,
  currency: c.currency,
});
