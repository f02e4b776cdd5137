import { describe, expect, it } from 'vitest';
import { liveCallsView, shortDuration } from './relay-calls';
import { timeWindow } from './time-window';

describe('liveCallsView', () => {
  it('lists calls oldest first with how long each has lasted', () => {
    const call = {
      customer_id: 'c1',
      ipbx_id: 'i1',
      provider_id: 'p1',
      from: '+4930123',
      to: '+8210',
    };
    const text = liveCallsView(
      [
        {
          ...call,
          call_id: 'b@h',
          state: 'ringing',
          started_at: '2026-12-05T10:00:50.000Z',
          answered_at: null,
        },
        {
          ...call,
          call_id: 'a@h',
          state: 'answered',
          started_at: '2026-12-05T09:00:00.000Z',
          answered_at: '2026-12-05T09:00:05.000Z',
        },
      ],
      new Date('2026-12-05T10:01:00.000Z'),
    );
    expect(text.split('\n')).toEqual([
      'call_id  state     from      to     customer  ipbx  provider  started_at                for',
      'a@h      answered  +4930123  +8210  c1        i1    p1        2026-12-05T09:00:00.000Z  1h00m55s',
      'b@h      ringing   +4930123  +8210  c1        i1    p1        2026-12-05T10:00:50.000Z  10s',
    ]);
    expect(liveCallsView([], new Date())).toBe('no calls in progress');
  });

  it('writes durations short', () => {
    expect(shortDuration(5)).toBe('5s');
    expect(shortDuration(125)).toBe('2m05s');
    expect(shortDuration(3725)).toBe('1h02m05s');
    expect(shortDuration(-3)).toBe('0s');
  });
});

describe('timeWindow', () => {
  const now = new Date('2026-12-05T10:00:00.000Z');
  it('defaults to the last day before now, or before --to', () => {
    expect(timeWindow(undefined, undefined, now)).toEqual({
      from: '2026-12-04T10:00:00.000Z',
      to: '2026-12-05T10:00:00.000Z',
    });
    expect(timeWindow(undefined, '2026-12-03', now)).toEqual({
      from: '2026-12-02T00:00:00.000Z',
      to: '2026-12-03',
    });
    expect(timeWindow('2026-12-01', undefined, now)).toEqual({
      from: '2026-12-01',
      to: '2026-12-05T10:00:00.000Z',
    });
  });

  it('leaves a bad --to for the API to refuse, naming it', () => {
    expect(timeWindow(undefined, 'yesterday', now)).toEqual({ from: undefined, to: 'yesterday' });
  });
});
