import { describe, expect, it } from 'vitest';
import { cdrRecord } from '../../contract/cdr.fixture';
import type { CdrRating } from '../billing/cdr-rating';
import { chargesOf } from './charge-batch';

const priced = (amount: string | null, planId: string | null = 'plan-1'): CdrRating => ({
  provider_id: null,
  cost: null,
  cost_unrated_reason: 'no_deck',
  rate_plan_id: planId,
  price:
    amount === null
      ? null
      : {
          prefix: '+82',
          rate: '1',
          connect_fee: '0',
          first_increment_s: 1,
          next_increment_s: 1,
          minimum_s: 0,
          effective_from: null,
          amount,
          currency: 'EUR',
          billed_s: 1,
        },
  price_unrated_reason: amount === null ? (planId ? 'no_rate' : 'no_rate_plan') : null,
});

describe('chargesOf', () => {
  it('charges the price of records rated on a plan, "0" when unpriced, nothing without a plan or a customer', () => {
    const answered = cdrRecord({ at: '2026-12-05T23:59:59.999Z' });
    const noLine = cdrRecord();
    const noPlan = cdrRecord();
    const noCustomer = cdrRecord({ customer_id: null });
    const ratings = new Map([
      [answered.id, priced('0.5')],
      [noLine.id, priced(null)],
      [noPlan.id, priced(null, null)],
      [noCustomer.id, priced(null, null)],
    ]);
    const charges = chargesOf([answered, noLine, noPlan, noCustomer], ratings, {
      planCurrency: () => 'GBP',
      creditControl: () => false,
    });
    expect(charges).toEqual([
      {
        customerId: answered.customer_id,
        cdrId: answered.id,
        callId: answered.call_id,
        amount: '0.5',
        currency: 'EUR',
        day: '2026-12-05',
      },
      {
        customerId: noLine.customer_id,
        cdrId: noLine.id,
        callId: noLine.call_id,
        amount: '0',
        currency: 'GBP',
        day: '2026-12-05',
      },
    ]);
  });

  it('charges "0" to an outbound call of a customer with credit control rated without a plan (its hold released)', () => {
    // The plan removed between the decision (which held credit) and the record.
    const outbound = cdrRecord();
    const inbound = cdrRecord({ direction: 'inbound' });
    const ratings = new Map([
      [outbound.id, priced(null, null)],
      [inbound.id, { ...priced(null, null), price_unrated_reason: 'not_outbound' as const }],
    ]);
    const customers = (creditControl: boolean) => ({
      planCurrency: () => undefined,
      creditControl: () => creditControl,
    });
    expect(chargesOf([outbound, inbound], ratings, customers(true))).toEqual([
      {
        customerId: outbound.customer_id,
        cdrId: outbound.id,
        callId: outbound.call_id,
        amount: '0',
        currency: null,
        day: outbound.tm_invite.slice(0, 10),
      },
    ]);
    // Without credit control nothing was held: nothing to charge.
    expect(chargesOf([outbound, inbound], ratings, customers(false))).toEqual([]);
  });

  it('charges a stored rating on a plan since removed: "0" without a currency when unpriced', () => {
    const record = cdrRecord();
    const charges = chargesOf([record], new Map([[record.id, priced(null)]]), {
      planCurrency: () => undefined,
      creditControl: () => false,
    });
    expect(charges).toMatchObject([{ cdrId: record.id, amount: '0', currency: null }]);
  });
});
