import { z } from '@hono/zod-openapi';
import { Big } from 'big.js';
import type { Cdr, CdrAttempt } from '../../contract/cdr';
import { id } from '../../contract/peer';
import { type Deck, lookupRate } from './deck';
import { currency, money } from './money';
import { rateLine } from './rate-line';
import { callAmount } from './rating';

/**
 * One side of a call's rating: the amount, the deck line that produced it (prefix and the rates
 * in force at the call's start) and the seconds billed.
 */
export const ratedAmount = rateLine
  .extend({
    amount: money,
    currency,
    /** Seconds billed on the line's grid; 0 when not answered. */
    billed_s: z.number().int().min(0),
  })
  .openapi('RatedAmount');
export type RatedAmount = z.infer<typeof ratedAmount>;

/** Why a side of the rating has no amount. */
export const unratedReason = z
  .enum([
    'no_customer',
    'not_outbound',
    'no_rate_plan',
    'not_answered',
    'answered_by_ipbx',
    'no_deck',
    'no_rate',
  ])
  .openapi('UnratedReason');
export type UnratedReason = z.infer<typeof unratedReason>;

/**
 * What a stored CDR cost (buy, the answering provider's deck) and what it is priced to its
 * customer (sell, the customer's rate plan). Not part of what the relay posts: the API adds it
 * when it stores the record and when a period is re-rated (docs/billing.md).
 */
export const cdrRating = z
  .object({
    /** The provider whose deck gave `cost`: the target of the answering attempt, when a provider. */
    provider_id: id.nullable(),
    cost: ratedAmount.nullable(),
    cost_unrated_reason: unratedReason.nullable(),
    /** The customer's rate plan that gave `price`. */
    rate_plan_id: id.nullable(),
    price: ratedAmount.nullable(),
    price_unrated_reason: unratedReason.nullable(),
  })
  .openapi('CdrRating');
export type CdrRating = z.infer<typeof cdrRating>;

/** A deck with its currency (one per deck). */
export type PricedDeck = { deck: Deck; currency: string };

/** The decks rating reads: provider decks (buy) and customers' rate plans (sell), as compiled now. */
export type RatingDecks = {
  /** The provider's deck; undefined when it has none (or the provider is gone). */
  provider(providerId: string): PricedDeck | undefined;
  /** The customer's rate plan; undefined when the customer has none (or is gone). */
  plan(customerId: string): (PricedDeck & { id: string }) | undefined;
};

/** The attempt that answered: the last 2xx (an answered call has exactly one). */
export function answeringAttempt(record: Cdr): CdrAttempt | undefined {
  if (record.tm_answer === null) return undefined;
  return record.attempts.findLast((a) => a.code >= 200 && a.code <= 299);
}

/**
 * The billable time from the record's times, exact to the millisecond as a decimal string:
 * `billsec` is a float, and money is never computed from one.
 */
export function billsecOf(record: Cdr): string {
  if (record.tm_answer === null) return '0';
  return new Big(Date.parse(record.tm_end) - Date.parse(record.tm_answer)).div(1000).toFixed();
}

function rateWith(
  priced: PricedDeck,
  number: string,
  atMs: number,
  billsec: string,
  answered: boolean,
): RatedAmount | undefined {
  const line = lookupRate(priced.deck, number, atMs);
  if (!line) return undefined;
  const { amount, billed_s } = callAmount(line, billsec, answered);
  return { ...line, amount, currency: priced.currency, billed_s };
}

/**
 * Rates one record with the decks given (pure). Both sides use the line in force at the call's
 * start, `tm_invite`: the moment the decision chose the route and held the credit, so a rate
 * change scheduled while a call is up applies to the calls after it, not to that one.
 *
 * - cost: the answering attempt's provider deck, by the callee. No cost when the call was not
 *   answered (`not_answered`: no provider carried it) or answered by an IPBX (`answered_by_ipbx`).
 * - price: the customer's plan, by the callee, for outbound calls only (inbound and on-net calls
 *   are not priced: `not_outbound`). An unanswered outbound call is priced `"0"` on its line.
 *
 * @example
 * rateCdr(record, decks).price?.amount; // '0.032'
 */
export function rateCdr(record: Cdr, decks: RatingDecks): CdrRating {
  const atMs = Date.parse(record.tm_invite);
  const answered = record.tm_answer !== null;
  const billsec = billsecOf(record);
  const rating: CdrRating = {
    provider_id: null,
    cost: null,
    cost_unrated_reason: null,
    rate_plan_id: null,
    price: null,
    price_unrated_reason: null,
  };

  const answering = answeringAttempt(record);
  if (!answering) rating.cost_unrated_reason = 'not_answered';
  else if (answering.target_kind !== 'provider') rating.cost_unrated_reason = 'answered_by_ipbx';
  else {
    rating.provider_id = answering.target_id;
    const deck = decks.provider(answering.target_id);
    if (!deck) rating.cost_unrated_reason = 'no_deck';
    else {
      rating.cost = rateWith(deck, record.callee, atMs, billsec, true) ?? null;
      if (!rating.cost) rating.cost_unrated_reason = 'no_rate';
    }
  }

  if (record.customer_id === null) rating.price_unrated_reason = 'no_customer';
  else if (record.direction !== 'outbound') rating.price_unrated_reason = 'not_outbound';
  else {
    const plan = decks.plan(record.customer_id);
    if (!plan) rating.price_unrated_reason = 'no_rate_plan';
    else {
      rating.rate_plan_id = plan.id;
      rating.price = rateWith(plan, record.callee, atMs, billsec, answered) ?? null;
      if (!rating.price) rating.price_unrated_reason = 'no_rate';
    }
  }
  return rating;
}

/** Whether two ratings say the same (what re-rating compares; key order does not matter). */
export function sameRating(a: CdrRating | null, b: CdrRating | null): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as object).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
