import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExitStatus, WatchedProcess } from './child-process';
import { DEFAULT_BACKOFF, exitMessage, restartDelay, supervise } from './supervised-process';

describe('restartDelay', () => {
  it('waits 0.5 s, then doubles on each quick death up to 10 s', () => {
    const delays: number[] = [];
    let previous: number | undefined;
    for (let i = 0; i < 8; i++) {
      previous = restartDelay(DEFAULT_BACKOFF, previous, 1_000);
      delays.push(previous);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('starts over after a run long enough to count as steady', () => {
    expect(restartDelay(DEFAULT_BACKOFF, 10_000, DEFAULT_BACKOFF.steadyAfterMs)).toBe(500);
    expect(restartDelay(DEFAULT_BACKOFF, 10_000, DEFAULT_BACKOFF.steadyAfterMs - 1)).toBe(10_000);
  });

  it('counts a failed start as a quick death', () => {
    expect(restartDelay(DEFAULT_BACKOFF, 2000, 0)).toBe(4000);
  });

  it('never waits less than the first delay nor more than the cap', () => {
    fc.assert(
      fc.property(
        fc.record({
          initialMs: fc.integer({ min: 1, max: 5000 }),
          extra: fc.integer({ min: 0, max: 60_000 }),
        }),
        fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 100_000 }),
        ({ initialMs, extra }, previous, ranFor) => {
          const policy = { initialMs, maxMs: initialMs + extra, steadyAfterMs: 30_000 };
          const delay = restartDelay(policy, previous, ranFor);
          expect(delay).toBeGreaterThanOrEqual(policy.initialMs);
          expect(delay).toBeLessThanOrEqual(policy.maxMs);
        },
      ),
    );
  });
});

describe('exitMessage', () => {
  it('names the child, its pid, the signal and the wait', () => {
    expect(exitMessage('dynamodb local', 7, { code: null, signal: 'SIGKILL', stderrTail: '' }, 500)).toBe(
      'dynamodb local (pid 7) exited unexpectedly (signal SIGKILL); restarting in 0.5 s',
    );
  });

  it('gives the exit code and the last lines of stderr', () => {
    const stderrTail = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const message = exitMessage('rtpengine', 9, { code: 1, signal: null, stderrTail }, 2000, 3);
    expect(message).toBe(
      'rtpengine (pid 9) exited unexpectedly (code 1); restarting in 2 s\n' +
        '  its stderr ended with:\n    line 17\n    line 18\n    line 19',
    );
  });
});

type FakeRun = WatchedProcess & { die(status?: Partial<ExitStatus>): void };

/** A child that ends when told to, or when stopped; no process behind it. */
function fakeRun(pid: number): FakeRun {
  let end: (status: ExitStatus) => void = () => {};
  const exited = new Promise<ExitStatus>((resolve) => {
    end = resolve;
  });
  return {
    pid,
    exited,
    die: (status) => end({ code: null, signal: 'SIGKILL', stderrTail: '', ...status }),
    stop: async () => end({ code: null, signal: 'SIGTERM', stderrTail: '' }),
  };
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const fast = { initialMs: 1, maxMs: 4, steadyAfterMs: 60_000 };

describe('supervise', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a child that died again, says so at once and when it is back', async () => {
    const runs: FakeRun[] = [];
    const lines: string[] = [];
    const child = await supervise({
      name: 'dynamodb local',
      start: async () => runs[runs.push(fakeRun(100 + runs.length)) - 1]!,
      describe: () => 'port 8000',
      log: (line) => lines.push(line),
      policy: fast,
    });
    expect(child.pid).toBe(100);
    runs[0]!.die({ code: 137, signal: null, stderrTail: 'out of memory' });
    await until(() => lines.some((l) => l.includes('restarted')));
    expect(lines).toEqual([
      'dynamodb local (pid 100) exited unexpectedly (code 137); restarting in 0.001 s\n' +
        '  its stderr ended with:\n    out of memory',
      'dynamodb local restarted (pid 101, port 8000)',
    ]);
    expect(child.pid).toBe(101);
    expect(child.restarts).toBe(1);

    runs[1]!.die();
    await until(() => child.restarts === 2);
    expect(lines[2]).toMatch(/pid 101.*signal SIGKILL.*restarting in 0.002 s/);
    await child.stop();
    expect(runs).toHaveLength(3);
  });

  it('does not restart a child that ends because it was stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const start = vi.fn(async () => fakeRun(1));
    const lines: string[] = [];
    const child = await supervise({ name: 'rtpengine', start, log: (l) => lines.push(l), policy: fast });
    await child.stop();
    await vi.runAllTimersAsync();
    expect(start).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([]);
  });

  it('cancels a restart that is waiting out its backoff when stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const first = fakeRun(1);
    const start = vi.fn(async () => (start.mock.calls.length === 1 ? first : fakeRun(2)));
    const lines: string[] = [];
    const child = await supervise({
      name: 'rtpengine',
      start,
      log: (l) => lines.push(l),
      policy: DEFAULT_BACKOFF,
    });
    first.die();
    await vi.waitFor(() => expect(lines).toHaveLength(1));
    await child.stop();
    await vi.runAllTimersAsync();
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('abandons a restart under way when stopped, and says nothing of it', async () => {
    const first = fakeRun(1);
    const lines: string[] = [];
    let calls = 0;
    let abandoned = false;
    const child = await supervise({
      name: 'dynamodb local',
      start: (signal) => {
        calls++;
        if (calls === 1) return Promise.resolve(first);
        // A restart that would not be ready before the stop.
        return new Promise<FakeRun>((_, reject) =>
          signal.addEventListener('abort', () => {
            abandoned = true;
            reject(new Error('start abandoned'));
          }),
        );
      },
      log: (l) => lines.push(l),
      policy: fast,
    });
    first.die();
    await until(() => calls === 2);
    await child.stop();
    expect(abandoned).toBe(true);
    expect(child.restarts).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/exited unexpectedly/)]);
  });

  it('says when the port is taken, retries with backoff, and restarts once it is free', async () => {
    const runs: FakeRun[] = [];
    const lines: string[] = [];
    let taken = 2;
    const child = await supervise({
      name: 'dynamodb local',
      start: async () => runs[runs.push(fakeRun(runs.length + 1)) - 1]!,
      blocked: async () => (taken-- > 0 ? 'port 8000 is taken by another process' : undefined),
      log: (l) => lines.push(l),
      policy: fast,
    });
    runs[0]!.die();
    await until(() => child.restarts === 1);
    expect(lines.slice(1)).toEqual([
      'dynamodb local cannot restart yet: port 8000 is taken by another process; retrying in 0.002 s',
      'dynamodb local cannot restart yet: port 8000 is taken by another process; retrying in 0.004 s',
      'dynamodb local restarted (pid 2)',
    ]);
    await child.stop();
  });

  it('retries a restart that failed', async () => {
    const lines: string[] = [];
    let calls = 0;
    const first = fakeRun(1);
    const child = await supervise({
      name: 'rtpengine',
      start: async () => {
        calls++;
        if (calls === 1) return first;
        if (calls === 2) throw new Error('rtpengine exited early (code 1): bind failed');
        return fakeRun(calls);
      },
      log: (l) => lines.push(l),
      policy: fast,
    });
    first.die();
    await until(() => child.restarts === 1);
    expect(lines.slice(1)).toEqual([
      'rtpengine did not restart: rtpengine exited early (code 1): bind failed; retrying in 0.002 s',
      'rtpengine restarted (pid 3)',
    ]);
    await child.stop();
  });

  it('lets the first start fail to the caller', async () => {
    await expect(
      supervise({ name: 'x', start: () => Promise.reject(new Error('no java')), log: () => {} }),
    ).rejects.toThrow('no java');
  });
});
