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
  it('raises the refused share while the socket is never drained, lowers it once it is', async () => {
    let draw = 0;
    monitor = createLoadMonitor({
      thresholdMs: 10_000,
      saturatedMs: 100,
      tickMs: 5,
      windowMs: 10,
      step: 0.1,
      random: () => (draw++ % 1000) / 1000,
    });
    const m = monitor;
    /** Turns of `perTurn` datagrams (one turn per timer callback) for `ms`. */
    const feed = async (perTurn: number, ms: number) => {
      const turn = setInterval(() => {
        for (let i = 0; i < perTurn; i++) m.received();
      }, 1);
      await tick(ms);
      clearInterval(turn);
    };
    await feed(5, 60); // drained every turn
    expect(m.overloaded()).toBe(false);
    await feed(32, 25); // not drained, but for less than the threshold: a preemption, no overload
    expect(m.overloaded()).toBe(false);
    await feed(5, 20);
    await feed(32, 400); // every turn read libuv's maximum: past the threshold, then 10 windows and more
    expect(shareShed(m)).toBe(1);
    // Drained again: down by a step per window, not at once.
    for (let i = 0; i < 50 && shareShed(m) === 1; i++) await feed(3, 10);
    const lower = shareShed(m);
    expect(lower).toBeGreaterThan(0);
    expect(lower).toBeLessThan(1);
    await feed(3, 250);
    expect(m.overloaded()).toBe(false);
  });

  it('refuses every new call while the event loop runs far behind, and reports the episode once', async () => {
    const changes: boolean[] = [];
    // Thresholds well above the scheduling noise of a busy test machine.
    monitor = createLoadMonitor({ thresholdMs: 400, tickMs: 10, onChange: (on) => changes.push(on) });
    await tick(50);
    expect(monitor.overloaded()).toBe(false);
    busy(700);
    await tick(5); // the late tick runs
    expect(monitor.overloaded()).toBe(true);
    expect(monitor.shed()).toBe(true); // 700 ms late: past 1.5 × the threshold, every call
    await tick(100); // ticks on time again
    expect(monitor.overloaded()).toBe(false);
    expect(changes).toEqual([true]); // the end is told after a calm second
    await tick(1300);
    expect(changes).toEqual([true, false]);
  });

  it('does nothing with a threshold of 0', async () => {
    monitor = createLoadMonitor({ thresholdMs: 0, tickMs: 10 });
    for (let i = 0; i < 100; i++) monitor.received();
    busy(100);
    await tick(20);
    expect(monitor.shed()).toBe(false);
  });
});
