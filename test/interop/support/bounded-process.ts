import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** A process run under coreutils `timeout`, in its own process group. */
export type BoundedProcess = {
  readonly child: ChildProcessWithoutNullStreams;
  /** stdout and stderr as received (the tail, at most `keep` characters). */
  output(): string;
  /** Resolves with the exit code (128 + n for signal n, as a shell reports it) once it exited. */
  readonly exited: Promise<number>;
  /** Kills the whole group (`timeout` and the program): SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number>;
};

const running = new Set<BoundedProcess>();

/**
 * Spawns `command` under `timeout -k 2 <limitS>` in a new process group, so it
 * ends by itself even if the test process dies, and stop() ends the program and
 * everything it started without a broad kill.
 *
 * @example
 * const p = spawnBounded('baresip', ['-f', dir], { limitS: 30 });
 * afterAll(() => stopAll());
 */
export function spawnBounded(
  command: string,
  args: string[],
  options: { limitS: number; env?: NodeJS.ProcessEnv; cwd?: string; keep?: number },
): BoundedProcess {
  const child = spawn('timeout', ['-k', '2', String(options.limitS), command, ...args], {
    detached: true,
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const keep = options.keep ?? 400_000;
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('latin1');
    if (output.length > keep) output = output.slice(-keep);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // A write to a program that already exited must not crash the test run.
  child.stdin.on('error', () => {});
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      output += `\nspawn error: ${error.message}`;
      resolve(-1);
    });
    child.once('exit', (code, signal) => {
      resolve(code ?? 128 + (signal ? signalNumber(signal) : 0));
    });
  });
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  const handle: BoundedProcess = {
    child,
    output: () => output,
    exited,
    async stop(graceMs = 2000) {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Whatever the program left in its group (none expected) goes too.
      killGroup('SIGKILL');
      process.off('exit', onExit);
      running.delete(handle);
      return exited;
    },
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

/** Stops every process spawnBounded() started in this test file that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(500)));
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 0;
}

/**
 * Polls `check` every `everyMs` until it returns a value other than undefined/false,
 * or throws with `what` (and `detail()` for the assertion message) at the deadline.
 *
 * @example
 * await until(() => trace().some((m) => m.method === 'BYE'), 'the carrier got the BYE', 10_000);
 */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs: number,
  detail: () => string = () => '',
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out waiting until ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
