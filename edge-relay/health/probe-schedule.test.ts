import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthTarget } from '../../contract/health';
import { createProbeSchedule } from './probe-schedule';

const target: HealthTarget = {
  provider_id: '3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10',
  uri: 'sip:198.51.100.1:5060',
  transport: 'udp',
  interval_s: 5,
  timeout_ms: 12_000,
  down_after: 3,
  up_after: 2,
  alive_codes: ['200'],
  passive_down_after: 5,
};

describe('the probe schedule', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('first probe within one interval, then one per interval; a probe still waiting delays the next', async () => {
    let current: HealthTarget | undefined = target;
    const answers: (() => void)[] = [];
    const probe = vi.fn(() => new Promise<void>((resolve) => answers.push(resolve)));
    const schedule = createProbeSchedule(() => current, probe);
    schedule.start(target);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(probe).toHaveBeenCalledTimes(1);
    // The first probe has no answer yet (timeout_ms 12 s): the two due meanwhile are skipped.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(probe).toHaveBeenCalledTimes(1);
    answers[0]!();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(probe).toHaveBeenCalledTimes(2);
    answers[1]!();
    // New settings apply at the next probe; a target gone stops its timer.
    current = { ...target, interval_s: 1 };
    await vi.advanceTimersByTimeAsync(5_000);
    expect(probe).toHaveBeenCalledTimes(3);
    for (const answer of answers.splice(0)) answer();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(probe).toHaveBeenCalledTimes(4);
    current = undefined;
    const calls = probe.mock.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(probe).toHaveBeenCalledTimes(calls);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop and stopAll end the timers', async () => {
    const probe = vi.fn(async () => {});
    const schedule = createProbeSchedule(() => target, probe);
    schedule.start(target);
    schedule.start({ ...target, provider_id: '4f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10' });
    schedule.stop(target.provider_id);
    expect(vi.getTimerCount()).toBe(1);
    schedule.stopAll();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(probe).not.toHaveBeenCalled();
  });
});
