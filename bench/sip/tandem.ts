import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { freeUdpPort } from '../../functions/local/free-port';
import { bundleChild } from '../child-bundle';
import { startBenchStack } from './bench-stack';
import type { SipProxy } from './kamailio';
import { stopChild } from './sipp';

const root = new URL('../../', import.meta.url).pathname;

/** Tandem can be benchmarked once the relay (edge-relay/service.ts) and the local stack exist. */
export async function tandemAvailable(): Promise<boolean> {
  return ['edge-relay/service.ts', 'functions/local/local-stack.ts'].every((f) => existsSync(root + f));
}

export type TandemProxy = SipProxy & {
  /** Relay heap after a full GC, bytes. */
  heapUsed(): Promise<number>;
};

/** Tandem as the benchmark sees it: the configured local stack (bench-stack.ts) and the relay as a child process. */
export async function startTandem(options: {
  primary: number;
  secondary: number;
  uacPort: number;
  log: (line: string) => void;
}): Promise<TandemProxy> {
  const { stack, relayToken } = await startBenchStack({
    name: 'bench',
    primary: options.primary,
    secondary: options.secondary,
    uacPort: options.uacPort,
  });
  const port = await freeUdpPort();
  const relay = await bundleChild(join(root, 'bench/sip/tandem-relay.ts'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--expose-gc',
      // As the systemd unit starts the relay.
      '--enable-source-maps',
      // BENCH_RELAY_NODE_ARGS: extra node flags for the relay child, e.g. "--cpu-prof --cpu-prof-dir /tmp/prof".
      ...(process.env['BENCH_RELAY_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
      relay.file,
      JSON.stringify({ address: '127.0.0.1', port, decideUrl: stack.decideUrl, relayToken }),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // BENCH_RELAY_STDOUT=file: the relay's stdout (e.g. --trace-gc lines) is appended there.
  const stdoutFile = process.env['BENCH_RELAY_STDOUT'];
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdoutFile) appendFileSync(stdoutFile, chunk);
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`relay exited early (${code})`)));
  });
  return {
    name: 'Tandem relay',
    port,
    pid: child.pid ?? -1,
    decisionPid: stack.decisionPid,
    heapUsed: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { heapUsed: number }).heapUsed));
        child.send('heap');
      }),
    stop: async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
      relay.remove();
      await stack.stop();
    },
  };
}
