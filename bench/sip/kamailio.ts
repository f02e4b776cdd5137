import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from '../../platform/free-port';
import { waitForSip } from './sip-ping';
import { scenarioDir, stopChild } from './sipp';

export type SipProxy = {
  name: string;
  port: number;
  pid: number;
  /** The decision server's process, when the proxy asks one (Tandem). */
  decisionPid?: number;
  stop(): Promise<void>;
};

/**
 * Starts Kamailio 5.6 (Debian package) in the foreground (`-DD -E`) with
 * bench/sip/kamailio.cfg on a free UDP port and its own runtime dir, relaying
 * INVITEs to `primary` and failing over to `secondary`.
 */
export async function startKamailio(options: {
  primary: number;
  secondary: number;
  children?: number;
}): Promise<SipProxy> {
  const port = await freeUdpPort();
  const runtime = mkdtempSync(join(tmpdir(), 'tandem-kamailio-'));
  const child: ChildProcess = spawn(
    '/usr/sbin/kamailio',
    [
      '-f',
      join(scenarioDir, 'kamailio.cfg'),
      '-DD',
      '-E',
      '-Y',
      runtime,
      '-P',
      join(runtime, 'kamailio.pid'),
      '-l',
      `udp:127.0.0.1:${port}`,
      '-A',
      `PRIMARY="sip:127.0.0.1:${options.primary}"`,
      '-A',
      `SECONDARY="sip:127.0.0.1:${options.secondary}"`,
      '-A',
      `CHILDREN=${options.children ?? 2}`,
      '-m',
      '512',
      '-M',
      '16',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitForSip(port);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(runtime, { recursive: true, force: true });
    throw new Error(`kamailio did not start: ${(error as Error).message}\n${stderr}`);
  }
  return {
    name: 'Kamailio 5.6',
    port,
    pid: child.pid ?? -1,
    stop: async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
      rmSync(runtime, { recursive: true, force: true });
    },
  };
}
