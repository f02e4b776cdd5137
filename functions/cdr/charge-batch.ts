import type { Cdr } from '../../contract/cdr';
import type { SpendAlerts } from '../alerts/spend-alerts';
import type { CdrRating } from '../billing/cdr-rating';
import { compareMoney } from '../billing/money';
import { cdrDay } from '../store/cdrs';
import type { Store } from '../store/client';
import { type ChargeCall, type ChargeResult, chargeCalls } from '../store/credit';
import type { RatingContext } from './rating-source';

/** Customers charged at once; one customer's records go one slice at a time (they move one account). */
const CUSTOMERS_IN_FLIGHT = 8;
/**
 * Records of one customer per `chargeCalls`: a few transactions of up to 100 actions each, the
 * charge budget checked between them.
 */
const SLICE = 200;

/** The charges took longer than their budget: some are left for the batch sent again. */
export class ChargeBudgetExceeded extends Error {
  constructor(readonly charged: number) {
    super(`the charges took longer than their budget (${charged} charged); the rest on the next try`);
    this.name = 'ChargeBudgetExceeded';
  }
}

/** One charge to make, from a rated record: what `chargeCalls` takes, but its time. */
export type PendingCharge = Omit<ChargeCall, 'at' | 'dailySpendLimit'>;

/** What `chargesOf` needs to know of a record's customer, as of the batch's snapshot. */
export type ChargedCustomers = {
  /** The currency of the customer's rate plan; undefined when it has none (any more). */
  planCurrency(customerId: string): string | undefined;
  /** The customer has credit control (prepaid or a limit): its decisions hold credit. */
  creditControl(customerId: string): boolean;
};

/**
 * The charges of a rated batch (pure): one per record rated on its customer's plan (an outbound
 * call: a `rate_plan_id` in its rating), the price or `"0"` when not answered or not priced (which
 * still releases the call's hold). An outbound call of a customer with credit control rated
 * without a plan (the plan removed between the decision and the record) is charged `"0"` too: its
 * decision held credit, which the charge releases. Records without a customer, inbound and on-net
 * calls, and other customers without a plan are not charged: nothing was held for them. The spend
 * counts to the UTC day of the INVITE, the day the CDR is listed under.
 *
 * @example
 * chargesOf(records, ratings, { planCurrency: () => 'USD', creditControl: () => false });
 */
export function chargesOf(
  records: readonly Cdr[],
  ratings: ReadonlyMap<string, CdrRating>,
  customers: ChargedCustomers,
): PendingCharge[] {
  const charges: PendingCharge[] = [];
  for (const record of records) {
    const rating = ratings.get(record.id);
    const customerId = record.customer_id;
    if (!rating || customerId === null) continue;
    const onPlan = rating.rate_plan_id !== null;
    if (!onPlan && !(record.direction === 'outbound' && customers.creditControl(customerId))) continue;
    charges.push({
      customerId,
      cdrId: record.id,
      callId: record.call_id,
      amount: rating.price?.amount ?? '0',
      currency: rating.price?.currency ?? customers.planCurrency(customerId) ?? null,
      day: cdrDay(record.tm_invite),
    });
  }
  return charges;
}

/**
 * Charges a batch's records (each exactly once: `chargeCalls`' `CHARGE#<cdr id>` markers), one
 * customer's records together (a few DynamoDB round trips per slice of them, not per record), and
 * raises the daily spend alert of each customer whose spend of the day reached its limit. Resolves
 * once every charge and alert is durably written; a failure rejects (the batch is answered 503 and
 * sent again: what was charged is not charged twice).
 *
 * @example
 * await chargeBatch(store, chargesOf(records, ratings, customers), context, alerts);
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
  const byCustomer = new Map<string, PendingCharge[]>();
  for (const c of charges) {
    const list = byCustomer.get(c.customerId);
    if (list) list.push(c);
    else byCustomer.set(c.customerId, [c]);
  }
  const queue = [...byCustomer.values()];
  let charged = 0;
  let failure: unknown;
  const worker = async () => {
    for (let list = queue.shift(); list && failure === undefined; list = queue.shift()) {
      const customerId = list[0]!.customerId;
      const limit = context.dailySpendLimit(customerId);
      /** Days alerted by this batch: one alert per customer and day. */
      const alerted = new Set<string>();
      for (let from = 0; from < list.length; from += SLICE) {
        if (failure !== undefined) return;
        // Past the budget the batch is answered 503 before the function's timeout; sent again, it
        // charges the rest.
        if (now() >= deadline) throw new ChargeBudgetExceeded(charged);
        const slice = list.slice(from, from + SLICE);
        const at = new Date(now()).toISOString();
        const results = await chargeCalls(
          store,
          customerId,
          slice.map(({ customerId: _, ...c }) => ({ ...c, at })),
          limit !== undefined ? { dailySpendLimit: limit } : {},
        );
        for (const [k, result] of results.entries()) {
          const c = slice[k]!;
          if (result.charged) charged++;
          // Also a record charged by an earlier try that failed before its alert: its day's spend
          // (read with the account) says whether the limit is reached. A charge without a currency
          // is a "0" that moved no spend: the records that did raise the alert.
          if (alerts && c.currency !== null && reachedLimit(result) && !alerted.has(c.day)) {
            alerted.add(c.day);
            await alerts.raise(alertOf({ ...c, currency: c.currency }, result));
          }
        }
      }
    }
  };
  // Every worker stops at its next slice once one fails; the batch waits for all before answering.
  await Promise.all(
    Array.from({ length: Math.min(CUSTOMERS_IN_FLIGHT, queue.length) }, () =>
      worker().catch((error: unknown) => {
        failure ??= error;
      }),
    ),
  );
  if (failure !== undefined) throw failure;
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

const alertOf = (c: PendingCharge & { currency: string }, result: ChargeResult & { dailyLimit: string }) => ({
  customerId: c.customerId,
  day: c.day,
  spend: result.spendToday,
  limit: result.dailyLimit,
  currency: c.currency,
});
