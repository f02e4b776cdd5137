import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyAnswer, parseRetryAfter, refusedIndexes, waitAfter } from './ship-policy';

const backoff = { minMs: 500, maxMs: 30_000 };
const NOW = Date.parse('2026-12-05T10:00:00.000Z');

describe('ship policy', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter(new Date(NOW + 7000).toUTCString(), NOW)).toBe(7000);
    expect(parseRetryAfter(new Date(NOW - 7000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });

  it('backs off exponentially with full jitter between the minimum and the maximum', () => {
    expect(backoffDelay(1, backoff, 0)).toBe(500);
    expect(backoffDelay(1, backoff, 0.999)).toBe(999);
    expect(backoffDelay(3, backoff, 0.999)).toBe(3996);
    expect(backoffDelay(50, backoff, 0.999)).toBe(29_970);
    for (let n = 1; n < 40; n += 1) {
      for (const r of [0, 0.3, 0.999]) {
        expect(backoffDelay(n, backoff, r)).toBeGreaterThanOrEqual(500);
        expect(backoffDelay(n, backoff, r)).toBeLessThanOrEqual(30_000);
      }
    }
  });

  it('retries 5xx, 429 and 503 honouring Retry-After as the minimum', () => {
    const throttled = classifyAnswer(503, { retryAfter: '7', body: '' }, NOW);
    expect(throttled).toMatchObject({ kind: 'retry', label: '503', retryAfterMs: 7000 });
    expect(waitAfter(throttled, 1, backoff, 0)).toBe(7000);
    expect(classifyAnswer(429, { retryAfter: '3', body: '' }, NOW)).toMatchObject({ retryAfterMs: 3000 });
    expect(waitAfter(classifyAnswer(500, { retryAfter: '60', body: '' }, NOW), 1, backoff, 0)).toBe(500);
  });

  it('waits the maximum on 401 and names the token', () => {
    const unauthorized = classifyAnswer(401, { retryAfter: null, body: '' }, NOW);
    expect(unauthorized).toMatchObject({ kind: 'misconfigured', label: '401' });
    expect(unauthorized.kind === 'misconfigured' && unauthorized.error).toMatch(/TANDEM_RELAY_TOKEN/);
    expect(waitAfter(unauthorized, 1, backoff, 0)).toBe(30_000);
  });

  it('refuses 400 and 413 with the problem, naming the records it points at', () => {
    const body = JSON.stringify({
      detail: 'invalid batch',
      errors: [
        { field: 'cdrs.3.tm_invite', message: 'Invalid ISO datetime' },
        { field: 'cdrs.7', message: 'Unrecognized key' },
        { field: 'cdrs.90.id', message: 'out of the batch' },
      ],
    });
    const refused = classifyAnswer(400, { retryAfter: null, body }, NOW);
    expect(refused).toMatchObject({ kind: 'refused', label: '400', error: 'HTTP 400: invalid batch' });
    if (refused.kind !== 'refused') throw new Error('not refused');
    expect([...refusedIndexes(refused.problem, 10)]).toEqual([3, 7]);
    const tooLarge = classifyAnswer(413, { retryAfter: null, body: '<html>' }, NOW);
    expect(tooLarge).toMatchObject({ kind: 'refused', problem: { detail: 'batch too large', errors: [] } });
    expect(classifyAnswer(204, { retryAfter: null, body: '' }, NOW)).toEqual({ kind: 'stored' });
  });
});
