import { afterEach, describe, expect, it } from 'vitest';
import { createLoadMonitor, type LoadMonitor } from './load-monitor';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the event loop is blocked, as by a backlog of messages
  }
};
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

let monitor: LoadMonitor | undefined;
afterEach(() => monitor?.stop());

/** The share of 1,000 new INVITEs refused, with an evenly spread "random" draw. */
function shareShed(m: LoadMonitor): number {
  let refused = 0;
  for (let i = 0; i < 1000; i++) if (m.shed()) refused += 1;
  return refused / 1000;
}

describe('load monitor', () => {
  it('refuses a share of new calls that grows with the queueing delay, none below half the threshold', () => {
    let draw = 0;
    monitor = createLoadMonitor({ thresholdMs: 100, tickMs: 10_000, random: () => (draw++ % 1000) / 1000 });
    for (const [delay, share] of [
      [10, 0],
      [50, 0],
      [75, 0.25],
      [100, 0.5],
      [150, 1],
      [900, 1],
      [20, 0],
    ] as const) {
      monitor.observeQueueDelay(delay);
      expect(shareShed(monitor), `at ${delay} ms`).toBeCloseTo(share, 2);
      expect(monitor.overloaded()).toBe(share > 0);
    }
  });

  it('turns on when the event loop runs late, and reports the episode once', async () => {
    const changes: boolean[] = [];
    monitor = createLoadMonitor({ thresholdMs: 60, tickMs: 10, onChange: (on) => changes.push(on) });
    await tick(50);
    expect(monitor.overloaded()).toBe(false);
    busy(150);
    await tick(5); // the late tick runs
    expect(monitor.overloaded()).toBe(true);
    expect(monitor.shed()).toBe(true); // 150 ms late: past 1.5 × the threshold, every call
    await tick(60); // ticks on time again
    expect(monitor.overloaded()).toBe(false);
    expect(changes).toEqual([true]); // the end is told after a calm second
    await tick(1100);
    expect(changes).toEqual([true, false]);
  });

  it('does nothing with a threshold of 0', async () => {
    monitor = createLoadMonitor({ thresholdMs: 0, tickMs: 10 });
    busy(100);
    monitor.observeQueueDelay(1000);
    await tick(20);
    expect(monitor.shed()).toBe(false);
  });
});
