import { z } from '@hono/zod-openapi';
import { Big } from 'big.js';

/**
 * Money and rates are decimal strings in JSON and big.js decimals in code: never binary floats.
 * Amounts keep 6 decimal places (a millionth of the currency unit), rounded half-up once per
 * amount (docs/billing.md).
 */
export const MONEY_DP = 6;

const DECIMAL = /^-?(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$/;

/** A signed decimal string with at most 6 decimal places (`"-5"`, `"0.012"`). */
export const signedMoney = z
  .string()
  .regex(DECIMAL, 'must be a decimal number as a string, at most 6 decimal places (e.g. "0.0125")')
  .openapi({ example: '10.50' });

/** A decimal string ≥ 0 with at most 6 decimal places. */
export const money = signedMoney
  .refine((s) => !s.startsWith('-'), 'must not be negative')
  .openapi({ example: '0.0125' });

/** The currency of a provider or rate plan that names none (stored before `currency` existed). */
export const DEFAULT_CURRENCY = 'USD';

/** ISO 4217 code. */
export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
  .openapi({ example: DEFAULT_CURRENCY });

/** A deck owner's currency (provider or rate plan); DEFAULT_CURRENCY when it has none. */
export const currencyOf = (owner: { currency?: string | undefined } | undefined): string =>
  owner?.currency ?? DEFAULT_CURRENCY;

/** An amount rounded half-up to 6 places, as the canonical string (`"0.012000"` → `"0.012"`). */
export function roundMoney(value: Big): string {
  return canonical(value.round(MONEY_DP, Big.roundHalfUp));
}

/** The sum of decimal strings, exact. */
export function addMoney(...amounts: readonly string[]): string {
  return canonical(amounts.reduce((sum, a) => sum.plus(a), new Big(0)));
}

/** a − b, exact. */
export function subtractMoney(a: string, b: string): string {
  return canonical(new Big(a).minus(b));
}

/** -1, 0 or 1 as a is below, equal to or above b. */
export function compareMoney(a: string, b: string): -1 | 0 | 1 {
  return new Big(a).cmp(b) as -1 | 0 | 1;
}

/** Without exponent notation and without trailing zeros: one spelling per value. */
function canonical(value: Big): string {
  const text = value.toFixed();
  return text === '-0' ? '0' : text;
}
