import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../events';
import { callPostDialDelayMs } from './post-dial-delay';

const attempt = (code: number, pdd: number | null, startedAt: number): AttemptOutcome => ({
  call_id: 'c1',
  target_kind: 'provider',
  target_id: 'p',
  route_id: null,
  uri: 'sip:+1@203.0.113.1',
  code,
  cause: 'response',
  pdd_ms: pdd,
  started_at: startedAt,
  ended_at: startedAt + 10,
});

describe('post-dial delay per call', () => {
  it('counts a dead primary: INVITE received → the ringing the caller got from the second target', () => {
    // The primary said nothing for 2 s (no-provisional), the second rang after 30 ms of its own.
    const call = {
      received_at: 1_000,
      ringing_at: 3_040,
      ended_at: 9_000,
      status: 200,
      attempts: [{ ...attempt(408, null, 1_005), cause: 'no-provisional' as const }, attempt(200, 30, 3_010)],
    };
    expect(callPostDialDelayMs(call)).toBe(2_040);
  });

  it('takes the final answer when no provisional other than 100 came first', () => {
    const base = { received_at: 0, ringing_at: null, ended_at: 450 };
    expect(callPostDialDelayMs({ ...base, status: 200, attempts: [attempt(200, null, 5)] })).toBe(450);
    expect(callPostDialDelayMs({ ...base, status: 486, attempts: [attempt(486, null, 5)] })).toBe(450);
  });

  it('has none for a call no target was tried for, or one the caller cancelled before hearing anything', () => {
    const base = { received_at: 0, ended_at: 3 };
    expect(callPostDialDelayMs({ ...base, ringing_at: null, status: 403, attempts: [] })).toBeNull();
    expect(callPostDialDelayMs({ ...base, ringing_at: null, status: 407, attempts: [] })).toBeNull();
    const cancelled = { received_at: 0, ended_at: 5_000, status: 487, attempts: [attempt(487, null, 5)] };
    expect(callPostDialDelayMs({ ...cancelled, ringing_at: null })).toBeNull();
    expect(callPostDialDelayMs({ ...cancelled, ringing_at: 800 })).toBe(800);
  });
});
