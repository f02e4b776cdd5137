import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freeUdpPort } from '../../platform/free-port';
import { configureBenchStack } from './bench-stack';
import type { SipProxy } from './kamailio';

const root = new URL('../../', import.meta.url).pathname;

/**
 * `npm start` as a user runs it first (`--targets npm-start`): the whole local stack (DynamoDB Local,
 * the API with the decision, rtpengine when installed, the relay) from one command, with its defaults
 * (logging at info, the CDR spool and dialog journal fsynced), on free ports and a data folder of its
 * own, then configured through its API like the other targets. Its CPU is the whole tree's.
 *
 * @example
 * const proxy = await startNpmStart({ primary, secondary, uacPort });
 */
export async function startNpmStart(options: {
  primary: number;
  secondary: number;
  uacPort: number;
}): Promise<SipProxy> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-npm-start-'));
  const adminKey = `tdm_admin_${randomBytes(18).toString('base64url')}`;
  const apiPort = await freePort();
  const sipPort = await freeUdpPort();
  // The start script of package.json run as npm runs it (without its console build, which calls
  // never touch); BENCH_NPM_START_NODE_ARGS: extra node flags, e.g. "--cpu-prof --cpu-prof-dir /tmp/prof".
  const [node, ...args] = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start.split(' ');
  if (node !== 'node') throw new Error(`npm start does not run node: ${node}`);
  const extra = process.env['BENCH_NPM_START_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = spawn(process.execPath, [...extra, ...args], {
    cwd: root,
    // Its own process group: stop() ends npm, node and the helpers it started together.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TANDEM_DATA_DIR: dataDir,
      TANDEM_API_PORT: String(apiPort),
      TANDEM_SIP_PORT: String(sipPort),
      TANDEM_ADMIN_KEY: adminKey,
      TANDEM_TABLE_NAME: 'bench-npm-start',
    },
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const killOnExit = () => killGroup('SIGKILL');
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  // The relay's log lines arrive here, as journald would take them; read and dropped.
  await new Promise<void>((resolve, reject) => {
    let banner = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (banner.length < 10_000) banner += chunk.toString();
      if (banner.includes('Press Ctrl-C to stop.')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`npm start exited early (${code}): ${stderr}`)));
  });
  await configureBenchStack(`http://127.0.0.1:${apiPort}`, adminKey, {
    name: 'bench',
    primary: options.primary,
    secondary: options.secondary,
    uacPort: options.uacPort,
  });
  return {
    name: 'npm start',
    port: sipPort,
    pid: child.pid ?? -1,
    stop: async () => {
      process.off('exit', killOnExit);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      killGroup('SIGTERM');
      const deadline = setTimeout(() => killGroup('SIGKILL'), 10_000);
      await exited;
      clearTimeout(deadline);
      killGroup('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
