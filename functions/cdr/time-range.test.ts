import { describe, expect, it } from 'vitest';
import { HttpError } from '../store/errors';
import { timeRange } from './time-range';

const fieldsOf = (q: { from?: string; to?: string }) => {
  try {
    timeRange(q);
  } catch (error) {
    if (error instanceof HttpError) return error.errors?.map((e) => e.field);
    throw error;
  }
  return [];
};

describe('timeRange', () => {
  it('normalizes dates and offsets to UTC milliseconds', () => {
    expect(timeRange({ from: '2026-12-01', to: '2026-12-02T01:00:00+01:00' })).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
    });
  });

  it('requires both ends, naming each missing one', () => {
    expect(fieldsOf({})).toEqual(['from', 'to']);
    expect(fieldsOf({ from: '2026-12-01' })).toEqual(['to']);
    expect(fieldsOf({ to: '2026-12-01' })).toEqual(['from']);
  });

  it('refuses an empty, reversed or longer-than-31-days range on `to`', () => {
    expect(fieldsOf({ from: '2026-12-01', to: '2026-12-01' })).toEqual(['to']);
    expect(fieldsOf({ from: '2026-12-02', to: '2026-12-01' })).toEqual(['to']);
    expect(fieldsOf({ from: '2026-12-01', to: '2027-01-01T00:00:00.001Z' })).toEqual(['to']);
    expect(fieldsOf({ from: '2026-12-01', to: '2027-01-01' })).toEqual([]);
  });
});
