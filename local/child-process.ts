import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';

export type RunningProcess = { readonly pid: number; stop(): Promise<void> };

/** How a child ended, with the end of what it wrote to stderr (to say why it died). */
export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null; stderrTail: string };

/** A started child that also tells when it ends, whether by stop() or on its own. */
export type WatchedProcess = RunningProcess & { readonly exited: Promise<ExitStatus> };

/**
 * Starts a helper process (DynamoDB Local, redis-server, rtpengine) that dies
 * with us: it is killed on stop() and, as a last resort, when this process exits,
 * so Ctrl-C never leaves an orphan Java process behind.
 */
export async function startProcess(
  command: string,
  args: string[],
  options: {
    cwd?: string;
    /** Ready once this TCP port on loopback accepts connections. */
    readyPort?: number;
    /** Or ready once this resolves true (UDP services such as rtpengine's ng port); polled every 100 ms. */
    ready?: () => Promise<boolean>;
    name: string;
    timeoutMs?: number;
    /** Run as this user and group (needs root), e.g. to check a service also runs unprivileged. */
    uid?: number;
    gid?: number;
    /**
     * In a process group of its own: a Ctrl-C in the terminal then reaches only us, and we stop the
     * child in order, so its death is never mistaken for a crash of a supervised child.
     */
    ownProcessGroup?: boolean;
    /** Gives up waiting for readiness and kills the child (a stop while a restart is under way). */
    signal?: AbortSignal;
  },
): Promise<WatchedProcess> {
  if (options.readyPort === undefined && !options.ready)
    throw new Error(`${options.name}: readyPort or ready needed`);
  options.signal?.throwIfAborted();
  const child = spawn(command, args, {
    cwd: options.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: options.ownProcessGroup === true,
    ...(options.uid !== undefined && { uid: options.uid }),
    ...(options.gid !== undefined && { gid: options.gid }),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // 'close' rather than 'exit': by then the last lines of stderr have been read.
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('close', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal, stderrTail: stderr.trim().slice(-1000) });
    }),
  );
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`${options.name}: cannot start ${command}: ${error.message}`)),
    );
    child.once('exit', (code) =>
      reject(new Error(`${options.name} exited early (code ${code}): ${stderr.trim().slice(-1000)}`)),
    );
  });
  spawnError.catch(() => {});
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error(`${options.name}: start abandoned`));
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  // Once the race is decided the readiness polls end too, instead of probing a dead child until their deadline.
  let decided = false;
  const until = { timeoutMs: options.timeoutMs ?? 30_000, name: options.name, decided: () => decided };
  try {
    await Promise.race([
      options.ready ? waitUntil(options.ready, until) : waitForPort(options.readyPort ?? 0, until),
      spawnError,
      aborted,
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    throw error;
  } finally {
    decided = true;
    options.signal?.removeEventListener('abort', onAbort);
  }
  return {
    pid: child.pid ?? -1,
    exited,
    stop: async () => {
      await terminate(child);
      process.off('exit', killOnExit);
    },
  };
}

/**
 * SIGTERM, then SIGKILL if the child is still there after `forceAfterMs`; resolves once it exited.
 *
 * @example
 * await terminate(child, 3_000);
 */
export function terminate(child: ChildProcess, forceAfterMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), forceAfterMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

type Until = { timeoutMs: number; name: string; decided: () => boolean };

async function waitUntil(ready: () => Promise<boolean>, { timeoutMs, name, decided }: Until): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !decided()) {
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} was not ready within ${timeoutMs} ms`);
}

async function waitForPort(port: number, { timeoutMs, name, decided }: Until): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !decided()) {
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not listen on port ${port} within ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
