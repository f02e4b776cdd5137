import { describe, expect, it } from 'vitest';
import { matchesFailover } from '../../contract/failover';
import { carriesEarlyMedia, failoverVerdict } from './failover';

const base = {
  status: 503,
  failoverCodes: ['404', '500', '503', '600'],
  earlyMedia: false,
  cancelled: false,
  remaining: 1,
};

describe('failover policy', () => {
  it('moves on for a failover code', () => expect(failoverVerdict(base)).toBe('next'));
  it('stops for a code outside the list (486 by default)', () =>
    expect(failoverVerdict({ ...base, status: 486 })).toBe('stop'));
  it('never after early media, a CANCEL, or without targets', () => {
    expect(failoverVerdict({ ...base, earlyMedia: true })).toBe('stop');
    expect(failoverVerdict({ ...base, cancelled: true })).toBe('stop');
    expect(failoverVerdict({ ...base, remaining: 0 })).toBe('stop');
  });
  it('moves on after a timer whatever the codes', () =>
    expect(failoverVerdict({ ...base, status: 408, failoverCodes: [], timeout: true })).toBe('next'));
  it('never after a 2xx', () =>
    expect(failoverVerdict({ ...base, status: 200, failoverCodes: ['200'] })).toBe('stop'));
  it('matches codes and whole classes (t_check_status style)', () => {
    const defaults = ['404', '5xx', '6xx'];
    for (const status of [404, 500, 503, 599, 600, 603, 699])
      expect(matchesFailover(defaults, status)).toBe(true);
    for (const status of [302, 408, 480, 486, 487, 403, 405])
      expect(matchesFailover(defaults, status)).toBe(false);
    expect(failoverVerdict({ ...base, status: 502, failoverCodes: defaults })).toBe('next');
    expect(failoverVerdict({ ...base, status: 486, failoverCodes: ['486'] })).toBe('next');
  });
  it('sees early media in a 183 with SDP only', () => {
    expect(carriesEarlyMedia(183, 'application/sdp', 'v=0')).toBe(true);
    expect(carriesEarlyMedia(180, undefined, '')).toBe(false);
  });
});
