import { describe, expect, it } from 'vitest';
import type { TimeWindow } from '../../domain/route';
import { inAnyWindow, inWindow } from './time-window';

const w = (over: Partial<TimeWindow>): TimeWindow => ({
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '09:00',
  end: '17:00',
  tz: 'UTC',
  ...over,
});

describe('time windows', () => {
  // 2026-11-23 is a Monday.
  it.each([
    ['inside office hours', w({}), '2026-11-23T10:00:00Z', true],
    ['start is inclusive', w({}), '2026-11-23T09:00:00Z', true],
    ['end is exclusive', w({}), '2026-11-23T17:00:00Z', false],
    ['weekend', w({}), '2026-11-22T10:00:00Z', false],
    ['zone shifts the clock (Seoul is UTC+9)', w({ tz: 'Asia/Seoul' }), '2026-11-23T01:00:00Z', true],
    ['zone shifts the day', w({ tz: 'Asia/Seoul', days: ['tue'] }), '2026-11-23T16:00:00Z', false],
    [
      'across midnight, evening of a listed day',
      w({ days: ['fri'], start: '22:00', end: '06:00' }),
      '2026-11-27T23:00:00Z',
      true,
    ],
    [
      'across midnight, morning after a listed day',
      w({ days: ['fri'], start: '22:00', end: '06:00' }),
      '2026-11-28T05:59:00Z',
      true,
    ],
    [
      'across midnight, morning of the listed day itself',
      w({ days: ['fri'], start: '22:00', end: '06:00' }),
      '2026-11-27T05:00:00Z',
      false,
    ],
    [
      'across midnight, ended',
      w({ days: ['fri'], start: '22:00', end: '06:00' }),
      '2026-11-28T06:00:00Z',
      false,
    ],
    [
      'across midnight, sunday into monday',
      w({ days: ['sun'], start: '22:00', end: '06:00' }),
      '2026-11-23T01:00:00Z',
      true,
    ],
    ['start equals end is the whole day', w({ start: '00:00', end: '00:00' }), '2026-11-23T23:59:00Z', true],
    // New York leaves DST on 2026-11-01 at 02:00 local (06:00Z): 09:00 local is 13:00Z before, 14:00Z after.
    [
      'DST: 09:00 EDT is 13:00Z (Fri 2026-10-30)',
      w({ tz: 'America/New_York' }),
      '2026-10-30T13:00:00Z',
      true,
    ],
    [
      'DST: 13:00Z is 08:00 EST after the change (Mon 2026-11-02)',
      w({ tz: 'America/New_York' }),
      '2026-11-02T13:00:00Z',
      false,
    ],
    [
      'DST: 14:00Z is 09:00 EST after the change',
      w({ tz: 'America/New_York' }),
      '2026-11-02T14:00:00Z',
      true,
    ],
    // Spring forward 2026-03-08: 02:30 local does not exist; 07:30Z is 03:30 EDT.
    [
      'DST gap: window 02:00-03:00 is skipped on spring-forward day',
      w({ tz: 'America/New_York', days: ['sun'], start: '02:00', end: '03:00' }),
      '2026-03-08T07:30:00Z',
      false,
    ],
  ] as const)('%s', (_name, window, at, expected) => {
    expect(inWindow(window, Date.parse(at))).toBe(expected);
  });

  it('no windows means always; several windows mean any', () => {
    expect(inAnyWindow([], 0)).toBe(true);
    const at = Date.parse('2026-11-22T10:00:00Z');
    expect(inAnyWindow([w({}), w({ days: ['sun'] })], at)).toBe(true);
    expect(inAnyWindow([w({})], at)).toBe(false);
  });
});
