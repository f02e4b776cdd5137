import { Big } from 'big.js';
import { describe, expect, it } from 'vitest';
import { addMoney, compareMoney, money, roundMoney, signedMoney, subtractMoney } from './money';

describe('money', () => {
  it('accepts decimal strings of at most 6 places and refuses the rest', () => {
    for (const ok of ['0', '12', '0.000001', '1234.5']) expect(money.safeParse(ok).success).toBe(true);
    for (const bad of ['0.0000001', '-1', '1e3', '01', '.5', '', ' 1'])
      expect(money.safeParse(bad).success).toBe(false);
    expect(signedMoney.safeParse('-5.25').success).toBe(true);
  });

  it('adds, subtracts and compares exactly, one spelling per value', () => {
    expect(addMoney('0.1', '0.2')).toBe('0.3');
    expect(subtractMoney('0.3', '0.1')).toBe('0.2');
    expect(subtractMoney('0.1', '0.1')).toBe('0');
    expect(subtractMoney('1', '1.25')).toBe('-0.25');
    expect(compareMoney('0.10', '0.1')).toBe(0);
    expect(compareMoney('-0.000001', '0')).toBe(-1);
    expect(roundMoney(new Big('2.0000005'))).toBe('2.000001');
    expect(roundMoney(new Big('-2.0000005'))).toBe('-2.000001');
  });
});
