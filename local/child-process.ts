import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';

export type RunningProcess = { readonly pid: number; stop(): Promise<void> };

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
  },
): Promise<RunningProcess> {
  if (options.readyPort === undefined && !options.ready)
    throw new Error(`${options.name}: readyPort or ready needed`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(options.uid !== undefined && { uid: options.uid }),
    ...(options.gid !== undefined && { gid: options.gid }),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`${options.name}: cannot start ${command}: ${error.message}`)),
    );
    child.once('exit', (code) =>
      reject(new Error(`${options.name} exited early (code ${code}): ${stderr.trim().slice(-1000)}`)),
    );
  });
  spawnError.catch(() => {});
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await Promise.race([
      options.ready
        ? waitUntil(options.ready, options.timeoutMs ?? 30_000, options.name)
        : waitForPort(options.readyPort ?? 0, options.timeoutMs ?? 30_000, options.name),
      spawnError,
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    throw error;
  }
  return {
    pid: child.pid ?? -1,
    stop: async () => {
      process.off('exit', killOnExit);
      await terminate(child);
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

async function waitUntil(ready: () => Promise<boolean>, timeoutMs: number, name: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} was not ready within ${timeoutMs} ms`);
}

async function waitForPort(port: number, timeoutMs: number, name: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
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
