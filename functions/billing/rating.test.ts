import { describe, expect, it } from 'vitest';
import { compareMoney } from './money';
import { affordableSeconds, billedSeconds, callAmount, type Tariff } from './rating';

const perMinute = (rate: string, extra: Partial<Tariff> = {}): Tariff => ({
  rate,
  connect_fee: '0',
  first_increment_s: 60,
  next_increment_s: 60,
  minimum_s: 0,
  ...extra,
});

describe('billedSeconds', () => {
  it('bills the first increment, then whole next increments', () => {
    const t = perMinute('1', { first_increment_s: 30, next_increment_s: 6 });
    expect(billedSeconds(t, '0.001')).toBe(30);
    expect(billedSeconds(t, '30')).toBe(30);
    expect(billedSeconds(t, '30.001')).toBe(36);
    expect(billedSeconds(t, '31.2')).toBe(36);
    expect(billedSeconds(t, '36')).toBe(36);
    expect(billedSeconds(t, '36.5')).toBe(42);
  });

  it('bills at least the minimum', () => {
    const t = perMinute('1', { first_increment_s: 1, next_increment_s: 1, minimum_s: 10 });
    expect(billedSeconds(t, '3.2')).toBe(10);
    expect(billedSeconds(t, '12.1')).toBe(13);
  });
});

describe('callAmount', () => {
  it('is connect fee + rate × billed / 60', () => {
    const t = perMinute('0.012', { connect_fee: '0.01' });
    expect(callAmount(t, '61', true)).toEqual({ amount: '0.034', billed_s: 120 });
    expect(callAmount(t, '1', true)).toEqual({ amount: '0.022', billed_s: 60 });
  });

  it('rounds half-up to 6 places once per call, without binary-float error', () => {
    // 0.1 / 60 × 1 s = 0.0016666…: 0.001667
    expect(
      callAmount(perMinute('0.1', { first_increment_s: 1, next_increment_s: 1 }), '1', true).amount,
    ).toBe('0.001667');
    // 0.000005 exactly half: up
    expect(
      callAmount(perMinute('0.0003', { first_increment_s: 1, next_increment_s: 1 }), '1', true).amount,
    ).toBe('0.000005');
    expect(
      callAmount(perMinute('0.00003', { first_increment_s: 1, next_increment_s: 1 }), '1', true).amount,
    ).toBe('0.000001');
    // 0.1 + 0.2 as floats is 0.30000000000000004
    expect(callAmount(perMinute('0.2', { connect_fee: '0.1' }), '60', true).amount).toBe('0.3');
  });

  it('an unanswered call costs nothing, connect fee included', () => {
    expect(callAmount(perMinute('1', { connect_fee: '0.5' }), '0', false)).toEqual({
      amount: '0',
      billed_s: 0,
    });
  });
});

describe('affordableSeconds', () => {
  const perSecond = (rate: string, extra: Partial<Tariff> = {}) =>
    perMinute(rate, { first_increment_s: 1, next_increment_s: 1, ...extra });

  it('is the longest time whose amount fits', () => {
    expect(affordableSeconds('0.05', perSecond('1'))).toBe(3);
    expect(affordableSeconds('0.05', perSecond('1', { connect_fee: '0.02' }))).toBe(1);
    expect(affordableSeconds('1', perMinute('0.5'))).toBe(120);
  });

  it('falls on the billing grid and honours the minimum', () => {
    expect(affordableSeconds('1', perMinute('0.4'))).toBe(120);
    expect(affordableSeconds('1', perMinute('0.6', { first_increment_s: 30, next_increment_s: 6 }))).toBe(96);
    expect(affordableSeconds('0.1', perSecond('1', { minimum_s: 10 }))).toBe(0);
    expect(affordableSeconds('0.2', perSecond('1', { minimum_s: 10 }))).toBe(12);
    // A minimum beyond the first increment: 1 s bills the 30 s minimum, 61 s would bill 61 s.
    expect(affordableSeconds('40', perMinute('60', { first_increment_s: 1, minimum_s: 30 }))).toBe(1);
  });

  it('is 0 when not even the first step fits, and undefined when the call is free', () => {
    expect(affordableSeconds('0.009', perMinute('0.6'))).toBe(0);
    expect(affordableSeconds('0', perSecond('1'))).toBe(0);
    expect(affordableSeconds('-1', perSecond('1'))).toBe(0);
    expect(affordableSeconds('0', perSecond('0'))).toBeUndefined();
  });

  it('never affords a time whose bill exceeds the money', () => {
    for (const available of ['0.01', '0.333333', '1.5', '7']) {
      for (const t of [
        perSecond('0.7'),
        perMinute('0.37', { first_increment_s: 30, next_increment_s: 6, minimum_s: 45 }),
      ]) {
        const seconds = affordableSeconds(available, t)!;
        if (seconds > 0)
          expect(compareMoney(callAmount(t, seconds, true).amount, available)).toBeLessThanOrEqual(0);
      }
    }
  });
});
