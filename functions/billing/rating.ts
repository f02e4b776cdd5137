import { Big } from 'big.js';
import { roundMoney } from './money';
import type { RateLine } from './rate-line';

export type Tariff = Pick<
  RateLine,
  'rate' | 'connect_fee' | 'first_increment_s' | 'next_increment_s' | 'minimum_s'
>;

/**
 * The seconds an answered call of `billsec` bills under a tariff: the first increment, then whole
 * next increments, at least the minimum.
 *
 * @example
 * billedSeconds({ ...t, first_increment_s: 30, next_increment_s: 6, minimum_s: 0 }, '31.2'); // 36
 */
export function billedSeconds(tariff: Tariff, billsec: string | number): number {
  const talked = new Big(billsec);
  let billed = tariff.first_increment_s;
  if (talked.gt(billed)) {
    const steps = talked.minus(billed).div(tariff.next_increment_s).round(0, Big.roundUp).toNumber();
    billed += steps * tariff.next_increment_s;
  }
  return Math.max(billed, tariff.minimum_s);
}

/**
 * What a call costs under a tariff: connect fee + rate × billed seconds / 60, rounded half-up to 6
 * places once. An unanswered call costs nothing: the connect fee is charged on answer.
 *
 * @example
 * callAmount({ rate: '0.012', connect_fee: '0.01', first_increment_s: 60, next_increment_s: 60, minimum_s: 0 }, '61', true);
 * // { amount: '0.034', billed_s: 120 }
 */
export function callAmount(
  tariff: Tariff,
  billsec: string | number,
  answered: boolean,
): { amount: string; billed_s: number } {
  if (!answered) return { amount: '0', billed_s: 0 };
  const billed = billedSeconds(tariff, billsec);
  const amount = new Big(tariff.connect_fee).plus(new Big(tariff.rate).times(billed).div(60));
  return { amount: roundMoney(amount), billed_s: billed };
}

/**
 * The longest talk time, whole seconds on the tariff's billing grid, whose amount stays within
 * `available`; 0 when not even the connect fee and the first step (or the minimum) are affordable.
 * Undefined when the rate is 0 (and the connect fee 0 or affordable): money does not limit the call.
 *
 * A call cut at this time bills at most one next increment more, for the moments between the cut
 * and its record (docs/billing.md).
 *
 * @example
 * affordableSeconds('0.05', { rate: '1', connect_fee: '0', first_increment_s: 1, next_increment_s: 1, minimum_s: 0 }); // 3
 */
export function affordableSeconds(available: string, tariff: Tariff): number | undefined {
  const rate = new Big(tariff.rate);
  const fee = new Big(tariff.connect_fee);
  if (rate.eq(0) && fee.eq(0)) return undefined;
  const left = new Big(available).minus(fee);
  if (left.lt(0)) return 0;
  if (rate.eq(0)) return undefined;
  const seconds = left.times(60).div(rate).round(0, Big.roundDown).toNumber();
  // Less than the first step (or the minimum, when longer) bills more than the money.
  if (seconds < Math.max(tariff.first_increment_s, tariff.minimum_s)) return 0;
  // Down to the billing grid: the first increment, then whole next increments. The cut bills
  // itself or the minimum, and both are at most `seconds`.
  const steps = Math.floor((seconds - tariff.first_increment_s) / tariff.next_increment_s);
  return tariff.first_increment_s + steps * tariff.next_increment_s;
}
