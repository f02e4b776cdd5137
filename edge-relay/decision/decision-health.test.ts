import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DecideRequest, DecideResponse } from '../../contract/decide';
import { type DecisionClient, DecisionUnavailableError } from './decision-client';
import { isUnreachable, PROBE_IDLE_MS, UNREACHABLE_AFTER_MS, watchDecision } from './decision-health';

const request: DecideRequest = {
  call_id: 'c1',
  source: { ip: '203.0.113.4', port: 5060, transport: 'udp' },
  request_uri: 'sip:+15551230000@relay',
  from: '<sip:1000@pbx>;tag=1',
  to: '<sip:+15551230000@relay>',
};
const reject: DecideResponse = { action: 'reject', code: 403, reason: 'unknown_source' };

/** A decision whose answer the test sets; it records what it was asked. */
function fakeDecision() {
  let answer: () => Promise<DecideResponse> = async () => reject;
  const asked: DecideRequest[] = [];
  const client: DecisionClient = {
    decide: (r) => {
      asked.push(r);
      return answer();
    },
  };
  return {
    client,
    asked,
    answers: (next: () => Promise<DecideResponse>) => {
      answer = next;
    },
  };
}

const down = () => Promise.reject(new DecisionUnavailableError('decision unreachable: ECONNREFUSED'));

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('decision health', () => {
  it('tells timeouts, connection errors and 5xx (unreachable) from 4xx and off-contract answers', () => {
    expect(isUnreachable(new DecisionUnavailableError('decision timed out after 800 ms'))).toBe(true);
    expect(isUnreachable(new DecisionUnavailableError('decision answered 503', 503))).toBe(true);
    expect(isUnreachable(new Error('socket hang up'))).toBe(true);
    expect(isUnreachable(new DecisionUnavailableError('decision answered 401', 401))).toBe(false);
    expect(isUnreachable(new DecisionUnavailableError('does not match the contract', 200))).toBe(false);
  });

  it('is unreachable only once every decide has failed for more than the threshold, reachable at the next success', async () => {
    const decision = fakeDecision();
    const changes: [boolean, string | undefined][] = [];
    const health = watchDecision(decision.client, {
      relayId: 'relay-1',
      now: Date.now,
      probeIdleMs: 60_000,
      onChange: (unreachable, error) => changes.push([unreachable, error]),
    });
    try {
      decision.answers(down);
      await expect(health.client.decide(request)).rejects.toThrow(DecisionUnavailableError);
      expect(health.unreachable()).toBe(false);
      await vi.advanceTimersByTimeAsync(UNREACHABLE_AFTER_MS);
      expect(health.unreachable()).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(health.unreachable()).toBe(true);
      await expect(health.client.decide(request)).rejects.toThrow();
      expect(changes).toEqual([[true, 'decision unreachable: ECONNREFUSED']]);
      decision.answers(async () => reject);
      await expect(health.client.decide(request)).resolves.toEqual(reject);
      expect(health.unreachable()).toBe(false);
      expect(changes.at(-1)).toEqual([false, undefined]);
    } finally {
      health.stop();
    }
  });

  it('a success between failures starts the count again; a 4xx counts as an answer', async () => {
    const decision = fakeDecision();
    const health = watchDecision(decision.client, { relayId: 'r', now: Date.now, probeIdleMs: 60_000 });
    try {
      decision.answers(down);
      await health.client.decide(request).catch(() => {});
      await vi.advanceTimersByTimeAsync(UNREACHABLE_AFTER_MS - 1000);
      decision.answers(() => Promise.reject(new DecisionUnavailableError('decision answered 400', 400)));
      await health.client.decide(request).catch(() => {});
      decision.answers(down);
      await vi.advanceTimersByTimeAsync(2000);
      await health.client.decide(request).catch(() => {});
      await vi.advanceTimersByTimeAsync(UNREACHABLE_AFTER_MS - 1000);
      expect(health.unreachable()).toBe(false);
    } finally {
      health.stop();
    }
  });

  it('an idle relay probes the decision on its own, so it learns of an outage and of the way back', async () => {
    const decision = fakeDecision();
    const health = watchDecision(decision.client, { relayId: 'relay-7', now: Date.now });
    try {
      decision.answers(down);
      await vi.advanceTimersByTimeAsync(PROBE_IDLE_MS + UNREACHABLE_AFTER_MS + 2 * PROBE_IDLE_MS);
      expect(health.unreachable()).toBe(true);
      expect(decision.asked.length).toBeGreaterThanOrEqual(2);
      expect(decision.asked[0]).toMatchObject({
        call_id: 'tandem-relay-health-probe',
        source: { ip: '192.0.2.1' },
        relay_id: 'relay-7',
      });
      decision.answers(async () => reject);
      await vi.advanceTimersByTimeAsync(2 * PROBE_IDLE_MS);
      expect(health.unreachable()).toBe(false);
    } finally {
      health.stop();
    }
  });

  it('sends no probe while calls keep it busy', async () => {
    const decision = fakeDecision();
    const health = watchDecision(decision.client, { relayId: 'r', now: Date.now });
    try {
      for (let i = 0; i < 20; i++) {
        await health.client.decide(request);
        await vi.advanceTimersByTimeAsync(PROBE_IDLE_MS / 4);
      }
      expect(decision.asked.every((r) => r.call_id === 'c1')).toBe(true);
    } finally {
      health.stop();
    }
  });
});
