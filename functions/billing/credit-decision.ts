import { Big } from 'big.js';
import type { CustomerBilling } from '../domain/customer-billing';
import { addMoney, subtractMoney } from './money';
import type { RateLine } from './rate-line';
import { affordableSeconds, callAmount } from './rating';

/** What the decision knows of the account (store/credit.ts `readAccount`). */
export type AccountView = {
  balance: string;
  /** Unexpired holds of OTHER calls (a re-decided call's own hold is replaced, not counted). */
  held: string;
  spendToday: string;
};

export type CreditRefusal = 'no_rate_for_destination' | 'insufficient_credit' | 'daily_spend_limit';

export type CreditOutcome =
  | { refuse: CreditRefusal }
  /** Hold `hold` for the call and end it `max_duration_s` after its answer. */
  | { hold: string; max_duration_s: number }
  /** Money does not limit the call (the policy's maximum duration still applies). */
  | { unlimited: true };

/**
 * How long a hold outlives the most a call can last: the time its record takes to arrive after the
 * call ends (the relay sends records in batches and retries them). A hold that expires before its
 * record arrives frees money the call spent, so this errs long.
 */
export const HOLD_RECORD_MARGIN_S = 300;

/**
 * The longest a credit-controlled call may last when the customer's policy sets no shorter
 * maximum: 4 h. It bounds what one call holds, so one call of a large balance does not hold all of
 * it (the customer's other calls share the rest), and how long a hold whose record never came
 * keeps money.
 */
export const MAX_CREDIT_CALL_S = 4 * 3600;

/**
 * The money available to a customer's calls: balance (+ credit_limit when postpaid) − held; null
 * when nothing limits it (postpaid without credit_limit).
 *
 * @example
 * available({ mode: 'postpaid', credit_limit: '100', daily_spend_limit: null }, { balance: '-20', held: '5', spendToday: '0' }); // '75'
 */
export function available(billing: CustomerBilling, account: AccountView): string | null {
  if (billing.mode === 'postpaid' && billing.credit_limit === null) return null;
  const limit = billing.mode === 'postpaid' ? (billing.credit_limit ?? '0') : '0';
  return subtractMoney(addMoney(account.balance, limit), account.held);
}

/**
 * The credit check of one outbound call (docs/billing.md, "Credit"). Pure: the account and the
 * sell line in force come in.
 *
 * - the day's spend at or over `daily_spend_limit` (any mode) → `daily_spend_limit`;
 * - postpaid without credit_limit → unlimited;
 * - no sell line: prepaid → `no_rate_for_destination`; postpaid with a credit limit → unlimited
 *   while anything is available (an unpriced call charges nothing), else `insufficient_credit`;
 * - the available money pays not even the first step → `insufficient_credit`;
 * - else hold the price of the affordable time (on the line's billing grid, capped by the policy's
 *   `max_call_duration_s` and MAX_CREDIT_CALL_S) and end the call after that time;
 * - a line of only a connect fee holds the fee, the call lasting up to the cap; a free line
 *   (rate and fee 0) → unlimited.
 *
 * @example
 * creditDecision({ billing: { mode: 'prepaid', daily_spend_limit: null },
 *   account: { balance: '0.05', held: '0', spendToday: '0' },
 *   sellLine: { rate: '1', connect_fee: '0', first_increment_s: 1, next_increment_s: 1, minimum_s: 0, … },
 *   maxCallDurationS: undefined }); // { hold: '0.05', max_duration_s: 3 }
 */
export function creditDecision(input: {
  billing: CustomerBilling;
  account: AccountView;
  sellLine: RateLine | undefined;
  maxCallDurationS: number | undefined;
}): CreditOutcome {
  const { billing, account, sellLine } = input;
  const dailyLimit = billing.daily_spend_limit;
  if (dailyLimit !== null && new Big(account.spendToday).gte(dailyLimit))
    return { refuse: 'daily_spend_limit' };
  const money = available(billing, account);
  if (money === null) return { unlimited: true };
  if (!sellLine) {
    if (billing.mode === 'prepaid') return { refuse: 'no_rate_for_destination' };
    return new Big(money).gt(0) ? { unlimited: true } : { refuse: 'insufficient_credit' };
  }
  const cap = Math.min(input.maxCallDurationS ?? MAX_CREDIT_CALL_S, MAX_CREDIT_CALL_S);
  const fee = new Big(sellLine.connect_fee);
  if (new Big(sellLine.rate).eq(0)) {
    if (fee.eq(0)) return { unlimited: true };
    // Only the connect fee costs: it is held, and time is not limited by money.
    if (new Big(money).lt(fee)) return { refuse: 'insufficient_credit' };
    return { hold: sellLine.connect_fee, max_duration_s: cap };
  }
  const seconds = affordableSeconds(new Big(money).lt(0) ? '0' : money, sellLine) ?? 0;
  if (seconds === 0) return { refuse: 'insufficient_credit' };
  const duration = Math.min(seconds, cap);
  return { hold: callAmount(sellLine, duration, true).amount, max_duration_s: duration };
}

/**
 * When a call's hold expires (epoch seconds): after the longest the relay may ring its targets
 * (`ringMs`, the sum of their final timers), the call's maximum duration and the record margin.
 *
 * @example
 * holdExpiresAt(Date.parse('2026-12-05T10:00:00Z'), 3, 60_000); // 1796464863 (+ 60 + 3 + 300 s)
 */
export function holdExpiresAt(nowMs: number, maxDurationS: number, ringMs: number): number {
  return Math.ceil((nowMs + ringMs) / 1000) + maxDurationS + HOLD_RECORD_MARGIN_S;
}
