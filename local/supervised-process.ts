import { createServer } from 'node:net';
import type { ExitStatus, RunningProcess, WatchedProcess } from './child-process';

/** How long to wait before starting a child again after it died. */
export type BackoffPolicy = {
  /** The first wait, and the wait again after a run at least `steadyAfterMs` long. */
  initialMs: number;
  /** Each quick death doubles the wait, up to this. */
  maxMs: number;
  /** A run this long counts as healthy: the next death starts the backoff from `initialMs` again. */
  steadyAfterMs: number;
};

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 10_000, steadyAfterMs: 30_000 };

/**
 * The wait before the next start: `initialMs` after the first death or after a
 * steady run, else twice the previous wait, never above `maxMs`. A start that
 * failed counts as a run of 0 ms.
 *
 * @example
 * restartDelay(DEFAULT_BACKOFF, undefined, 100); // 500
 * restartDelay(DEFAULT_BACKOFF, 500, 100);       // 1000
 * restartDelay(DEFAULT_BACKOFF, 8000, 100);      // 10000
 * restartDelay(DEFAULT_BACKOFF, 8000, 60_000);   // 500
 */
export function restartDelay(
  policy: BackoffPolicy,
  previousMs: number | undefined,
  ranForMs: number,
): number {
  if (previousMs === undefined || ranForMs >= policy.steadyAfterMs) return policy.initialMs;
  return Math.min(policy.maxMs, Math.max(policy.initialMs, previousMs * 2));
}

/**
 * One log entry for a child that died: which one, how it ended, the wait, then the last
 * lines it wrote to stderr (indented), which usually say why.
 *
 * @example
 * exitMessage('rtpengine', 41, { code: 1, signal: null, stderrTail: 'bind failed' }, 500);
 * // 'rtpengine (pid 41) exited unexpectedly (code 1); restarting in 0.5 s\n  its stderr ended with:\n    bind failed'
 */
export function exitMessage(
  name: string,
  pid: number,
  status: ExitStatus,
  delayMs: number,
  maxLines = 10,
): string {
  const how = status.signal ? `signal ${status.signal}` : `code ${status.code}`;
  const head = `${name} (pid ${pid}) exited unexpectedly (${how}); restarting in ${delayMs / 1000} s`;
  const tail = status.stderrTail ? status.stderrTail.split('\n').slice(-maxLines) : [];
  return tail.length ? `${head}\n  its stderr ended with:\n${tail.map((l) => `    ${l}`).join('\n')}` : head;
}

export type SupervisorOptions<Run extends WatchedProcess> = {
  /** As logs name it: `dynamodb local`, `rtpengine`. */
  name: string;
  /** Starts the child and resolves once it serves; the same port and data every time. */
  start: (signal: AbortSignal) => Promise<Run>;
  /**
   * Why the child cannot be started again right now (its fixed port is held by another
   * process), or undefined when it can. Checked before every restart.
   */
  blocked?: () => Promise<string | undefined>;
  /** Extra words for the `restarted` line, e.g. the port. */
  describe?: (run: Run) => string;
  log: (line: string) => void;
  policy?: BackoffPolicy;
};

export type Supervised<Run> = RunningProcess & {
  /** The child running now (the last one started while a restart is pending). */
  readonly current: Run;
  /** How many times it was started again after dying. */
  readonly restarts: number;
};

/**
 * Starts a child and keeps it running: when it exits on its own this logs it at
 * once (how it ended and the tail of its stderr), starts it again after the
 * backoff, and logs `<name> restarted` when it serves again. stop() ends it
 * for good and cancels a pending or running restart, so a shutdown never
 * triggers one. The first start is not retried: its error goes to the caller.
 *
 * @example
 * const db = await supervise({ name: 'dynamodb local', start: () => startProcess(...), log: console.error });
 * await db.stop();
 */
export async function supervise<Run extends WatchedProcess>(
  options: SupervisorOptions<Run>,
): Promise<Supervised<Run>> {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const stopper = new AbortController();
  let current = await options.start(stopper.signal);
  let restarts = 0;
  let lastDelay: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> | undefined;

  const later = (delayMs: number) => {
    lastDelay = delayMs;
    timer = setTimeout(() => {
      timer = undefined;
      attempt = restart().finally(() => {
        attempt = undefined;
      });
    }, delayMs);
  };
  const seconds = (ms: number) => `${ms / 1000} s`;

  const watch = (run: Run) => {
    const startedAt = performance.now();
    void run.exited.then((status) => {
      if (stopper.signal.aborted) return;
      const delay = restartDelay(policy, lastDelay, performance.now() - startedAt);
      options.log(exitMessage(options.name, run.pid, status, delay));
      later(delay);
    });
  };

  const restart = async () => {
    const reason = await options.blocked?.().catch((error: Error) => error.message);
    if (stopper.signal.aborted) return;
    if (reason) {
      const delay = restartDelay(policy, lastDelay, 0);
      options.log(`${options.name} cannot restart yet: ${reason}; retrying in ${seconds(delay)}`);
      later(delay);
      return;
    }
    let run: Run;
    try {
      run = await options.start(stopper.signal);
    } catch (error) {
      if (stopper.signal.aborted) return;
      const delay = restartDelay(policy, lastDelay, 0);
      options.log(
        `${options.name} did not restart: ${(error as Error).message}; retrying in ${seconds(delay)}`,
      );
      later(delay);
      return;
    }
    if (stopper.signal.aborted) {
      await run.stop();
      return;
    }
    current = run;
    restarts++;
    const extra = options.describe?.(run);
    options.log(`${options.name} restarted (pid ${run.pid}${extra ? `, ${extra}` : ''})`);
    watch(run);
  };

  watch(current);
  return {
    get pid() {
      return current.pid;
    },
    get current() {
      return current;
    },
    get restarts() {
      return restarts;
    },
    stop: async () => {
      stopper.abort();
      clearTimeout(timer);
      await attempt;
      await current.stop();
    },
  };
}

/**
 * Whether a TCP port can be listened on again on every interface (as DynamoDB Local does):
 * false while another process holds it. IPv4 only where the host has no IPv6.
 */
export async function tcpPortFree(port: number): Promise<boolean> {
  const tryListen = (host: string) =>
    new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
    });
  const error = await tryListen('::');
  if (error?.code === 'EAFNOSUPPORT' || error?.code === 'EADDRNOTAVAIL') return !(await tryListen('0.0.0.0'));
  return !error;
}
