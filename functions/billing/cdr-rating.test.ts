import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cdrRecord } from '../../contract/cdr.fixture';
import { billsecOf, cdrRating, type RatingDecks, rateCdr, sameRating } from './cdr-rating';
import { compileDeck } from './deck';
import { PER_SECOND, rateLineOf } from './rate-line.fixture';

const line = rateLineOf;

const PROVIDER = randomUUID();
const CUSTOMER = randomUUID();
const PLAN = randomUUID();
const MIDNIGHT = '2027-01-01T00:00:00.000Z';

/** The worked example of docs/billing.md: the buy and sell lines that rate a call to London. */
const BUY = line('+44', '0.008', PER_SECOND);
const SELL = line('+4420', '0.015', { connect_fee: '0.02', first_increment_s: 30, next_increment_s: 6 });

/** The example's decks, plus a sell rate scheduled for midnight. */
function decks(options: { plan?: boolean; providerDeck?: boolean } = {}): RatingDecks {
  const buy = compileDeck([BUY]);
  const sell = compileDeck([SELL, line('+4420', '0.5', { effective_from: MIDNIGHT })]);
  return {
    provider: (id) =>
      id === PROVIDER && options.providerDeck !== false ? { deck: buy, currency: 'EUR' } : undefined,
    plan: (id) =>
      id === CUSTOMER && options.plan !== false ? { id: PLAN, deck: sell, currency: 'USD' } : undefined,
  };
}

/** An answered call to London of 47.3 s, its INVITE at `at`. */
function call(at = '2026-12-31T23:00:00.000Z', extra: Parameters<typeof cdrRecord>[0] = {}) {
  const invite = Date.parse(at);
  return cdrRecord({
    at,
    providerId: PROVIDER,
    customer_id: CUSTOMER,
    callee: '+442079460000',
    tm_answer: new Date(invite + 2_000).toISOString(),
    tm_end: new Date(invite + 49_300).toISOString(),
    ...extra,
  });
}

describe('rateCdr', () => {
  it('rates cost from the answering provider deck and price from the customer plan (docs/billing.md example)', () => {
    const rating = rateCdr(call(), decks());
    expect(cdrRating.parse(rating)).toEqual(rating);
    expect(rating).toEqual({
      provider_id: PROVIDER,
      cost: { ...BUY, amount: '0.0064', currency: 'EUR', billed_s: 48 },
      cost_unrated_reason: null,
      rate_plan_id: PLAN,
      price: { ...SELL, amount: '0.032', currency: 'USD', billed_s: 48 },
      price_unrated_reason: null,
    });
  });

  it('uses the line in force at the INVITE: a line scheduled after the start does not rate the call', () => {
    // Started a millisecond before midnight, answered and ended after it: the old line.
    const before = rateCdr(call('2026-12-31T23:59:59.999Z'), decks());
    expect(before.price).toMatchObject({ rate: '0.015', effective_from: null, amount: '0.032' });
    const after = rateCdr(call(MIDNIGHT), decks());
    expect(after.price).toMatchObject({ rate: '0.5', effective_from: MIDNIGHT, billed_s: 60, amount: '0.5' });
  });

  it('prices an unanswered call "0" on its line and gives it no cost', () => {
    const record = call(undefined, {
      final_code: 486,
      reason: 'Busy Here',
      tm_answer: null,
      tm_end: '2026-12-31T23:00:05.000Z',
      end_by: null,
      end_reason: null,
    });
    record.attempts = [{ ...record.attempts[0]!, code: 486 }];
    const rating = rateCdr(record, decks());
    expect(rating.cost).toBeNull();
    expect(rating.cost_unrated_reason).toBe('not_answered');
    expect(rating.provider_id).toBeNull();
    expect(rating.price).toMatchObject({ amount: '0', billed_s: 0, prefix: '+4420', currency: 'USD' });
  });

  it('says why a side is unrated: no plan, no deck, no line, no customer, not outbound, an IPBX answered', () => {
    expect(rateCdr(call(), decks({ plan: false }))).toMatchObject({
      price: null,
      price_unrated_reason: 'no_rate_plan',
      rate_plan_id: null,
      cost: { amount: '0.0064' },
    });
    expect(rateCdr(call(), decks({ providerDeck: false }))).toMatchObject({
      cost: null,
      cost_unrated_reason: 'no_deck',
      provider_id: PROVIDER,
    });
    expect(rateCdr(call(undefined, { callee: '+33612345678' }), decks())).toMatchObject({
      cost: null,
      cost_unrated_reason: 'no_rate',
      price: null,
      price_unrated_reason: 'no_rate',
      rate_plan_id: PLAN,
    });
    expect(rateCdr(call(undefined, { customer_id: null }), decks())).toMatchObject({
      price: null,
      price_unrated_reason: 'no_customer',
    });
    const inbound = call(undefined, { direction: 'inbound' });
    inbound.attempts = [{ ...inbound.attempts[0]!, target_kind: 'ipbx' }];
    expect(rateCdr(inbound, decks())).toMatchObject({
      cost: null,
      cost_unrated_reason: 'answered_by_ipbx',
      price: null,
      price_unrated_reason: 'not_outbound',
    });
  });

  it('rates the answering attempt, not an earlier one that failed', () => {
    const record = call();
    const failed = { ...record.attempts[0]!, target_id: randomUUID(), code: 503 };
    record.attempts = [failed, record.attempts[0]!];
    expect(rateCdr(record, decks()).provider_id).toBe(PROVIDER);
  });

  it('bills from the times, exactly: never from the float billsec', () => {
    expect(billsecOf(call())).toBe('47.3');
    expect(billsecOf(call(undefined, { tm_end: '2026-12-31T23:00:02.301Z' }))).toBe('0.301');
  });

  it('rates the same record the same way every time', () => {
    const record = call();
    const a = rateCdr(record, decks());
    const b = rateCdr(structuredClone(record), decks());
    expect(sameRating(a, b)).toBe(true);
    expect(sameRating(a, { ...b, price: { ...b.price!, amount: '1' } })).toBe(false);
    expect(sameRating(a, null)).toBe(false);
    // Key order does not matter (DynamoDB keeps none).
    expect(sameRating(a, Object.fromEntries(Object.entries(a).reverse()) as typeof a)).toBe(true);
  });
});
