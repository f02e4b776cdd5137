import { describe, expect, it } from 'vitest';
import type { DecideRequest, DecideResponse } from '../../contract/decide';
import { DecisionUnavailableError } from '../decision/decision-client';
import { createSyntheticCalls } from './synthetic-calls';
import { warmUpCallPath, warmUpDecision } from './warm-up';

describe('synthetic calls', () => {
  it('carry a call through the relay: INVITE, 200, ACK, BYE, 200, and leave no dialog behind', async () => {
    const calls = createSyntheticCalls();
    try {
      for (let n = 0; n < 20; n++) await calls.call(n);
      expect(await calls.ctx.dialogs.size()).toBe(0);
      await calls.call(99, true);
      expect(await calls.ctx.dialogs.size()).toBe(1);
    } finally {
      calls.close();
    }
  });

  it('warm the call path and stop every timer they started (the process can exit)', async () => {
    await warmUpCallPath(200);
    await warmUpCallPath(0);
  });
});

describe('warm-up decides', () => {
  const client = (answer: (request: DecideRequest) => Promise<DecideResponse>) => {
    const seen: DecideRequest[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    return {
      seen,
      maxInFlight: () => maxInFlight,
      decide: async (request: DecideRequest) => {
        seen.push(request);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await answer(request);
        } finally {
          inFlight--;
        }
      },
    };
  };

  it('sends the health probe `probes` times, `concurrency` at a time, and counts the answers (refusals too)', async () => {
    const refusing = client(async () => {
      await new Promise((r) => setTimeout(r, 2));
      throw new DecisionUnavailableError('HTTP 403', 403);
    });
    // A 4xx is an answer: the decision runs.
    const answered = await warmUpDecision(refusing, 'relay-9', {
      probes: 12,
      concurrency: 3,
      deadlineMs: 5_000,
    });
    expect(refusing.seen).toHaveLength(12);
    expect(refusing.maxInFlight()).toBe(3);
    expect(
      refusing.seen.every((r) => r.call_id === 'tandem-relay-health-probe' && r.relay_id === 'relay-9'),
    ).toBe(true);
    expect(answered).toBe(12);
    const routing = client(
      async () => ({ action: 'reject', code: 403, reason: 'unknown_source' }) as DecideResponse,
    );
    expect(await warmUpDecision(routing, 'relay-9', { probes: 5, concurrency: 2, deadlineMs: 5_000 })).toBe(
      5,
    );
  });

  it('counts no answer from a decision that is down, and gives up at the deadline when it never answers', async () => {
    const down = client(async () => {
      throw new DecisionUnavailableError('connect ECONNREFUSED');
    });
    expect(await warmUpDecision(down, 'relay-9', { probes: 8, concurrency: 2, deadlineMs: 5_000 })).toBe(0);
    expect(down.seen).toHaveLength(8);
    const silent = client(() => new Promise<DecideResponse>(() => {}));
    expect(await warmUpDecision(silent, 'relay-9', { probes: 64, concurrency: 4, deadlineMs: 150 })).toBe(0);
    expect(silent.seen).toHaveLength(4);
  });
});
