import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../functions/local/local-stack';
import type { SipProxy } from './kamailio';
import { freeUdpPort, stopChild } from './sipp';

const root = new URL('../../', import.meta.url).pathname;

/** Tandem can be benchmarked once the relay (edge-relay/service.ts) and the local stack exist. */
export async function tandemAvailable(): Promise<boolean> {
  return ['edge-relay/service.ts', 'functions/local/local-stack.ts'].every((f) => existsSync(root + f));
}

export type TandemProxy = SipProxy & {
  /** Relay heap after a full GC, bytes. */
  heapUsed(): Promise<number>;
};

/**
 * Tandem as the benchmark sees it: the local stack (DynamoDB Local, API,
 * decision) in this process, configured through the REST API like an
 * operator would (one customer, an IPBX at the sipp UAC's port, two
 * providers in priority order for +1), and the relay as a child process.
 */
export async function startTandem(options: {
  primary: number;
  secondary: number;
  uacPort: number;
  log: (line: string) => void;
}): Promise<TandemProxy> {
  const adminKey = `tdm_admin_${randomBytes(18).toString('base64url')}`;
  const relayToken = `tdm_relay_${randomBytes(18).toString('base64url')}`;
  const stack = await startLocalStack({
    apiPort: 0,
    dynamodb: { dataDir: mkdtempSync(join(tmpdir(), 'tandem-bench-ddb-')) },
    tableName: 'bench',
    region: 'us-east-1',
    adminKey,
    relayToken,
    nonceSecret: randomBytes(24).toString('base64url'),
  });
  const api = async (path: string, body: unknown): Promise<{ id: string }> => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path} → ${response.status}: ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const customer = await api('/v1/customers', { name: 'bench' });
  await api('/v1/ipbxs', {
    customer_id: customer.id,
    name: 'bench-ipbx',
    hostname: '127.0.0.1',
    port: options.uacPort,
    transport: 'udp',
    allowed_sources: [{ cidr: '127.0.0.1', port: options.uacPort }],
  });
  for (const [i, port] of [options.primary, options.secondary].entries()) {
    const provider = await api('/v1/providers', {
      name: `bench-provider-${i + 1}`,
      hostname: '127.0.0.1',
      port,
      transport: 'udp',
      allowed_sources: [{ cidr: '127.0.0.1', port }],
      timers: { provisional_ms: 2000, final_ms: 60_000 },
    });
    await api('/v1/routes', {
      customer_id: customer.id,
      provider_id: provider.id,
      target: '+1',
      priority: i + 1,
    });
  }
  const port = await freeUdpPort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--expose-gc',
      // BENCH_RELAY_NODE_ARGS: extra node flags for the relay child, e.g. "--cpu-prof --cpu-prof-dir /tmp/prof".
      ...(process.env['BENCH_RELAY_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      join(root, 'bench/sip/tandem-relay.ts'),
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
    heapUsed: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { heapUsed: number }).heapUsed));
        child.send('heap');
      }),
    stop: async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
      await stack.stop();
    },
  };
}
