import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RtpengineAddress } from '../../edge-relay/settings/media-settings';
import { freeUdpPort } from '../../platform/free-port';
import { bundleChild } from '../child-bundle';
import { startBenchStack } from './bench-stack';
import { startCdrStandIn } from './cdr-stand-in';
import type { SipProxy } from './kamailio';
import { stopChild } from './sipp';

const root = new URL('../../', import.meta.url).pathname;

/** Tandem can be benchmarked once the relay (edge-relay/service.ts) and the local stack exist. */
export async function tandemAvailable(): Promise<boolean> {
  return ['edge-relay/service.ts', 'local/local-stack.ts'].every((f) => existsSync(root + f));
}

export type TandemProxy = SipProxy & {
  /** Relay heap after a full GC, bytes. */
  heapUsed(): Promise<number>;
};

/**
 * Tandem as the benchmark sees it: the configured local stack (bench-stack.ts) and the relay as a
 * child process (tandem-relay.ts), anchoring media through `rtpengine` when given.
 *
 * @example
 * const proxy = await startTandem({ primary, secondary, uacPort });
 */
export async function startTandem(options: {
  primary: number;
  secondary: number;
  uacPort: number;
  /** Shown in the figures (default "Tandem relay"). */
  name?: string;
  /** Table name of the stack (one per benchmark). */
  stackName?: string;
  /** Extra fields of both providers, e.g. media anchoring. */
  provider?: Record<string, unknown>;
  rtpengine?: RtpengineAddress;
  /** High limits on the IPBX, customer and providers (bench-stack.ts): the cost of admission. */
  limits?: boolean;
}): Promise<TandemProxy> {
  const { stack, relayToken } = await startBenchStack({
    name: options.stackName ?? 'bench',
    primary: options.primary,
    secondary: options.secondary,
    uacPort: options.uacPort,
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.limits ? { limits: true } : {}),
  });
  const env = { ...process.env };
  delete env.TANDEM_RTPENGINE;
  if (options.rtpengine) env.TANDEM_RTPENGINE = `${options.rtpengine.host}:${options.rtpengine.port}`;
  const port = await freeUdpPort();
  const cdrs = await startCdrStandIn();
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
      JSON.stringify({
        address: '127.0.0.1',
        port,
        decideUrl: stack.decideUrl,
        relayToken,
        cdr: { url: cdrs.url },
      }),
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
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
    name: options.name ?? 'Tandem relay',
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
      await cdrs.close();
      await stack.stop();
    },
  };
}
