import { z } from '@hono/zod-openapi';
import { cdrTime } from '../../contract/cdr';
import { id } from '../../contract/peer';
import type { CdrRating, RatedAmount } from '../billing/cdr-rating';
import { addMoney, currency, money, signedMoney, subtractMoney } from '../billing/money';

/** Most changes one report lists; the counts and deltas cover all of them. */
export const MAX_REPORTED_CHANGES = 1_000;

const side = z.object({ amount: money, currency }).nullable();
const byCurrency = z
  .record(z.string(), signedMoney)
  .openapi({ example: { USD: '-0.0125' }, description: 'Amount by currency (ISO 4217 code)' });

export const rerateChange = z
  .object({
    id,
    customer_id: id.nullable(),
    tm_invite: cdrTime,
    cost_before: side,
    cost_after: side,
    price_before: side,
    price_after: side,
  })
  .openapi('RerateChange');

export const rerateReport = z
  .object({
    from: cdrTime,
    to: cdrTime,
    customer_id: id.nullable(),
    /** Records read. */
    examined: z.number().int(),
    /** Records whose rating changed (rewritten). */
    changed: z.number().int(),
    /** after − before, summed per currency. */
    cost_delta: byCurrency,
    price_delta: byCurrency,
    /** The price delta of each customer whose records changed: what a balance correction would move. */
    customers: z.array(z.object({ customer_id: id, price_delta: byCurrency })),
    changes: z.array(rerateChange),
    /** True when more records changed than `changes` lists (at most 1000). */
    changes_truncated: z.boolean(),
    /** False when the request's time ran out: the records from `from` up to `next_to` are left. */
    complete: z.boolean(),
    /** When not complete: send the same request again with this `to`. */
    next_to: cdrTime.nullable(),
  })
  .openapi('RerateReport');
export type RerateReport = z.infer<typeof rerateReport>;
export type RerateChange = z.infer<typeof rerateChange>;

const amountOf = (a: RatedAmount | null | undefined) =>
  a ? { amount: a.amount, currency: a.currency } : null;

/** Adds after − before to a per-currency sum (a side that moved currency counts in both). */
function addDelta(
  sums: Record<string, string>,
  before: { amount: string; currency: string } | null,
  after: { amount: string; currency: string } | null,
): void {
  if (before) sums[before.currency] = subtractMoney(sums[before.currency] ?? '0', before.amount);
  if (after) sums[after.currency] = addMoney(sums[after.currency] ?? '0', after.amount);
  for (const [code, value] of Object.entries(sums)) if (value === '0') delete sums[code];
}

/**
 * A re-rating's report, accumulated record by record (pure): counts, per-currency deltas of cost
 * and price, per-customer price deltas, and the first MAX_REPORTED_CHANGES changes.
 *
 * @example
 * const report = rerateAccumulator({ from, to, customer_id: null });
 * report.examine(); report.change(record, before, after);
 * report.result({ complete: true, next_to: null });
 */
export function rerateAccumulator(range: Pick<RerateReport, 'from' | 'to' | 'customer_id'>) {
  let examined = 0;
  let changed = 0;
  const cost: Record<string, string> = {};
  const price: Record<string, string> = {};
  const customers = new Map<string, Record<string, string>>();
  const changes: RerateChange[] = [];
  return {
    examine() {
      examined++;
    },
    change(
      record: { id: string; customer_id: string | null; tm_invite: string },
      before: CdrRating | null,
      after: CdrRating,
    ) {
      changed++;
      const entry: RerateChange = {
        id: record.id,
        customer_id: record.customer_id,
        tm_invite: record.tm_invite,
        cost_before: amountOf(before?.cost),
        cost_after: amountOf(after.cost),
        price_before: amountOf(before?.price),
        price_after: amountOf(after.price),
      };
      addDelta(cost, entry.cost_before, entry.cost_after);
      addDelta(price, entry.price_before, entry.price_after);
      if (record.customer_id) {
        const sums = customers.get(record.customer_id) ?? {};
        addDelta(sums, entry.price_before, entry.price_after);
        customers.set(record.customer_id, sums);
      }
      if (changes.length < MAX_REPORTED_CHANGES) changes.push(entry);
    },
    result(end: Pick<RerateReport, 'complete' | 'next_to'>): RerateReport {
      return {
        ...range,
        examined,
        changed,
        cost_delta: cost,
        price_delta: price,
        customers: [...customers]
          .filter(([, sums]) => Object.keys(sums).length > 0)
          .map(([customer_id, price_delta]) => ({ customer_id, price_delta })),
        changes,
        changes_truncated: changed > changes.length,
        ...end,
      };
    },
  };
}
