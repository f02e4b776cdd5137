import { describe, expect, it } from 'vitest';
import type { CustomerBilling } from '../domain/customer-billing';
import {
  available,
  creditDecision,
  HOLD_RECORD_MARGIN_S,
  holdExpiresAt,
  MAX_CREDIT_CALL_S,
} from './credit-decision';
import type { RateLine } from './rate-line';
import { PER_SECOND, rateLineOf } from './rate-line.fixture';

const line = (over: Partial<RateLine> = {}): RateLine => rateLineOf('+33', '1', { ...PER_SECOND, ...over });
const prepaid: CustomerBilling = { mode: 'prepaid', daily_spend_limit: null };
const postpaid = (credit_limit: string | null, daily_spend_limit: string | null = null): CustomerBilling => ({
  mode: 'postpaid',
  credit_limit,
  daily_spend_limit,
});
const account = (balance: string, held = '0', spendToday = '0') => ({ balance, held, spendToday });
const decide = (
  billing: CustomerBilling,
  acc: ReturnType<typeof account>,
  sellLine: RateLine | null = line(),
  maxCallDurationS?: number,
) => creditDecision({ billing, account: acc, sellLine: sellLine ?? undefined, maxCallDurationS });

describe('creditDecision', () => {
  it('prepaid: holds the price of the affordable time on the billing grid', () => {
    expect(decide(prepaid, account('0.05'))).toEqual({ hold: '0.05', max_duration_s: 3 });
    // 30 s then 6 s steps at 0.6/min (0.01 a second): 0.5 pays 50 s, the grid gives 48 s.
    expect(
      decide(prepaid, account('0.5'), line({ rate: '0.6', first_increment_s: 30, next_increment_s: 6 })),
    ).toEqual({
      hold: '0.48',
      max_duration_s: 48,
    });
  });

  it('prepaid: the connect fee comes off first; not enough for the first step is refused', () => {
    expect(decide(prepaid, account('0.1'), line({ connect_fee: '0.05' }))).toEqual({
      hold: '0.1',
      max_duration_s: 3,
    });
    expect(decide(prepaid, account('0.01'))).toEqual({ refuse: 'insufficient_credit' });
    expect(decide(prepaid, account('0'))).toEqual({ refuse: 'insufficient_credit' });
    expect(decide(prepaid, account('-2'))).toEqual({ refuse: 'insufficient_credit' });
  });

  it('prepaid: no sell line is refused; a free line is unlimited', () => {
    expect(decide(prepaid, account('100'), null)).toEqual({ refuse: 'no_rate_for_destination' });
    expect(decide(prepaid, account('0'), line({ rate: '0' }))).toEqual({ unlimited: true });
  });

  it('a line of only a connect fee holds the fee; the call lasts up to the cap', () => {
    const feeOnly = line({ rate: '0', connect_fee: '0.04' });
    expect(decide(prepaid, account('0.05'), feeOnly)).toEqual({
      hold: '0.04',
      max_duration_s: MAX_CREDIT_CALL_S,
    });
    expect(decide(prepaid, account('0.05', '0.02'), feeOnly)).toEqual({ refuse: 'insufficient_credit' });
    expect(decide(prepaid, account('1'), feeOnly, 60)).toEqual({ hold: '0.04', max_duration_s: 60 });
  });

  it('a large balance holds at most MAX_CREDIT_CALL_S of one call', () => {
    // 0.01 a minute: 1000 would pay 69 days.
    expect(decide(prepaid, account('1000'), line({ rate: '0.01' }))).toEqual({
      hold: '2.4',
      max_duration_s: MAX_CREDIT_CALL_S,
    });
  });

  it('holds of other calls reduce what is available', () => {
    expect(decide(prepaid, account('0.05', '0.033333'))).toEqual({ hold: '0.016667', max_duration_s: 1 });
    expect(decide(prepaid, account('0.05', '0.05'))).toEqual({ refuse: 'insufficient_credit' });
  });

  it("the policy's maximum duration caps the time and the hold", () => {
    expect(decide(prepaid, account('10'), line(), 120)).toEqual({ hold: '2', max_duration_s: 120 });
    expect(decide(prepaid, account('0.05'), line(), 120)).toEqual({ hold: '0.05', max_duration_s: 3 });
  });

  it('postpaid: credit_limit counts below zero; without one nothing is checked', () => {
    expect(decide(postpaid('0.05'), account('0'))).toEqual({ hold: '0.05', max_duration_s: 3 });
    expect(decide(postpaid('1'), account('-1'))).toEqual({ refuse: 'insufficient_credit' });
    expect(decide(postpaid(null), account('-1000'))).toEqual({ unlimited: true });
    expect(decide(postpaid('1'), account('0'), null)).toEqual({ unlimited: true });
    expect(decide(postpaid('1'), account('-1'), null)).toEqual({ refuse: 'insufficient_credit' });
  });

  it('the daily spend limit refuses in any mode once reached', () => {
    expect(decide(postpaid(null, '10'), account('0', '0', '9.99'))).toEqual({ unlimited: true });
    expect(decide(postpaid(null, '10'), account('0', '0', '10'))).toEqual({ refuse: 'daily_spend_limit' });
    expect(decide({ mode: 'prepaid', daily_spend_limit: '1' }, account('50', '0', '1.2'))).toEqual({
      refuse: 'daily_spend_limit',
    });
  });

  it('available: balance + credit limit − held; null without a limit', () => {
    expect(available(postpaid('100'), account('-20', '5'))).toBe('75');
    expect(available(prepaid, account('1', '0.25'))).toBe('0.75');
    expect(available(postpaid(null), account('1'))).toBeNull();
  });

  it('a hold outlives ringing, the call and the record margin', () => {
    expect(holdExpiresAt(1_000_000, 3, 60_000)).toBe(1_000 + 60 + 3 + HOLD_RECORD_MARGIN_S);
  });
});
