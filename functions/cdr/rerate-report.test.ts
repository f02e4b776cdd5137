import { describe, expect, it } from 'vitest';
import type { CdrRating, RatedAmount } from '../billing/cdr-rating';
import { PER_SECOND, rateLineOf } from '../billing/rate-line.fixture';
import { MAX_REPORTED_CHANGES, rerateAccumulator } from './rerate-report';

const side = (amount: string, currency: string): RatedAmount => ({
  ...rateLineOf('+82', '1', PER_SECOND),
  amount,
  currency,
  billed_s: 1,
});
const rating = (cost: RatedAmount | null, price: RatedAmount | null): CdrRating => ({
  provider_id: null,
  cost,
  cost_unrated_reason: cost ? null : 'no_deck',
  rate_plan_id: null,
  price,
  price_unrated_reason: price ? null : 'no_rate_plan',
});
const record = (i: number, customer_id: string | null = 'c1') => ({
  id: `id-${i}`,
  customer_id,
  tm_invite: '2026-12-05T10:00:00.000Z',
});
const range = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z', customer_id: null };

describe('rerateAccumulator', () => {
  it('sums after − before per currency, a side that changed currency in both, per customer for the price', () => {
    const report = rerateAccumulator(range);
    report.examine();
    report.examine();
    report.examine();
    report.change(
      record(1),
      rating(side('1', 'EUR'), side('2', 'USD')),
      rating(side('1.5', 'EUR'), side('1.25', 'USD')),
    );
    report.change(
      record(2, 'c2'),
      rating(side('1', 'EUR'), null),
      rating(side('0.9', 'GBP'), side('0.5', 'USD')),
    );
    const result = report.result({ complete: true, next_to: null });
    expect(result).toMatchObject({
      examined: 3,
      changed: 2,
      cost_delta: { EUR: '-0.5', GBP: '0.9' },
      price_delta: { USD: '-0.25' },
      customers: [
        { customer_id: 'c1', price_delta: { USD: '-0.75' } },
        { customer_id: 'c2', price_delta: { USD: '0.5' } },
      ],
      changes_truncated: false,
    });
    expect(result.changes[1]).toEqual({
      ...record(2, 'c2'),
      cost_before: { amount: '1', currency: 'EUR' },
      cost_after: { amount: '0.9', currency: 'GBP' },
      price_before: null,
      price_after: { amount: '0.5', currency: 'USD' },
    });
  });

  it('lists at most MAX_REPORTED_CHANGES changes and says so; sums that come back to zero are left out', () => {
    const report = rerateAccumulator(range);
    for (let i = 0; i <= MAX_REPORTED_CHANGES; i++) {
      report.change(record(i), rating(null, side('1', 'USD')), rating(null, side(i % 2 ? '0' : '2', 'USD')));
    }
    const result = report.result({ complete: false, next_to: '2026-12-01T12:00:00.001Z' });
    expect(result.changed).toBe(MAX_REPORTED_CHANGES + 1);
    expect(result.changes).toHaveLength(MAX_REPORTED_CHANGES);
    expect(result.changes_truncated).toBe(true);
    // 501 calls +1 and 500 calls −1.
    expect(result.price_delta).toEqual({ USD: '1' });
    const even = rerateAccumulator(range);
    even.change(record(1), rating(null, side('1', 'USD')), rating(null, side('2', 'USD')));
    even.change(record(2), rating(null, side('2', 'USD')), rating(null, side('1', 'USD')));
    expect(even.result({ complete: true, next_to: null })).toMatchObject({ price_delta: {}, customers: [] });
  });
});
