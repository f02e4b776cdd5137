import { describe, expect, it } from 'vitest';
import { compileDeck, lookupRate } from './deck';
import { inForce, type RateLine } from './rate-line';
import { rateLineOf } from './rate-line.fixture';

const line = (prefix: string, rate: string, effective_from: string | null = null): RateLine =>
  rateLineOf(prefix, rate, { effective_from });

const MIDNIGHT = '2027-01-01T00:00:00.000Z';
const at = (iso: string) => Date.parse(iso);

describe('inForce', () => {
  it('is the latest line started at or before the time', () => {
    const schedule = [
      line('+33', '0.02', MIDNIGHT),
      line('+33', '0.01'),
      line('+33', '0.03', '2027-02-01T00:00:00Z'),
    ];
    expect(inForce(schedule, at('2026-12-31T23:59:59.999Z'))?.rate).toBe('0.01');
    expect(inForce(schedule, at(MIDNIGHT))?.rate).toBe('0.02');
    expect(inForce(schedule, at('2027-03-01T00:00:00Z'))?.rate).toBe('0.03');
    expect(inForce([line('+33', '0.02', MIDNIGHT)], at('2026-12-31T00:00:00Z'))).toBeUndefined();
  });
});

describe('lookupRate', () => {
  const deck = compileDeck([
    line('+33', '0.01'),
    line('+336', '0.05'),
    line('+336', '0.04', MIDNIGHT),
    line('+3361', '0.09', MIDNIGHT),
  ]);

  it('takes the longest prefix, then the line in force at the time', () => {
    expect(lookupRate(deck, '+33612345678', at('2026-12-31T12:00:00Z'))).toMatchObject({
      prefix: '+336',
      rate: '0.05',
    });
    expect(lookupRate(deck, '+33712345678', at('2026-12-31T12:00:00Z'))).toMatchObject({
      prefix: '+33',
      rate: '0.01',
    });
    expect(lookupRate(deck, '+33612345678', at(MIDNIGHT))).toMatchObject({ prefix: '+3361', rate: '0.09' });
    expect(lookupRate(deck, '+33622345678', at(MIDNIGHT))).toMatchObject({ prefix: '+336', rate: '0.04' });
    expect(lookupRate(deck, '+4420', at(MIDNIGHT))).toBeUndefined();
  });
});

describe('compileDeck', () => {
  it('shares schedules between prefixes: no object per prefix', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => line(`+1${i}`, i % 2 ? '0.01' : '0.02'));
    const deck = compileDeck([...lines, line('+33', '0.01'), line('+33', '0.02', MIDNIGHT)]);
    expect(deck.table.size).toBe(10_001);
    expect(deck.schedules).toHaveLength(3);
    expect(lookupRate(deck, '+1999912', at(MIDNIGHT))).toMatchObject({ prefix: '+19999', rate: '0.01' });
    expect(lookupRate(deck, '+1999812', at(MIDNIGHT))).toMatchObject({ prefix: '+19998', rate: '0.02' });
    expect(lookupRate(deck, '+3312', at(MIDNIGHT) - 1)?.rate).toBe('0.01');
    expect(lookupRate(deck, '+3312', at(MIDNIGHT))?.rate).toBe('0.02');
  });

  it('the same prefix and start twice: the later line wins', () => {
    const deck = compileDeck([line('+44', '0.01'), line('+44', '0.09')]);
    expect(lookupRate(deck, '+4420', at(MIDNIGHT))?.rate).toBe('0.09');
  });
});
