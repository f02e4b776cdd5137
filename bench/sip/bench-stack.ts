import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess } from '../../local/child-process';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import type { LocalStackConfig } from '../../local/local-stack';
import { freePort } from '../../platform/free-port';
import { bundleChild } from '../child-bundle';

const root = new URL('../../', import.meta.url).pathname;

/** What a benchmark configures: the sipp ports, and optionally extra provider fields and limits. */
export type BenchConfig = {
  name: string;
  primary: number;
  secondary: number;
  uacPort: number;
  provider?: Record<string, unknown>;
  /** Limits on the IPBX, its customer and both providers, set high enough never to refuse: every call pays admission. */
  limits?: boolean;
};

export type BenchStack = {
  readonly decideUrl: string;
  /** The decision server's process (API + decision, bundled as deployed). */
  readonly decisionPid: number;
  stop(): Promise<void>;
};

/**
 * The local stack for a benchmark: DynamoDB Local started here, the API with
 * the decision as a child process (decision-server.ts, bundled), configured
 * through the REST API as an operator would: one customer, an IPBX at the
 * sipp UAC's port, two providers for +1 in priority order (`provider`: extra
 * fields of both, e.g. media anchoring; `limits`: high limits everywhere, so
 * every call goes through admission). The relay then runs as a child with
 * `stack.decideUrl` and `relayToken`.
 *
 * @example
 * const { stack, relayToken } = await startBenchStack({ name: 'bench', primary, secondary, uacPort });
 */
export async function startBenchStack(
  options: BenchConfig,
): Promise<{ stack: BenchStack; relayToken: string }> {
  const adminKey = `tdm_admin_${randomBytes(18).toString('base64url')}`;
  const relayToken = `tdm_relay_${randomBytes(18).toString('base64url')}`;
  const dataDir = mkdtempSync(join(tmpdir(), `tandem-${options.name}-ddb-`));
  const dynamodb = await startDynamoDbLocal({ dataDir });
  const removeStore = async () => {
    await dynamodb.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const bundle = await bundleChild(join(root, 'bench/sip/decision-server.ts'));
  const apiPort = await freePort();
  const config: LocalStackConfig = {
    apiPort,
    apiHost: '127.0.0.1',
    dynamodb: { endpoint: dynamodb.endpoint },
    tableName: options.name,
    region: 'us-east-1',
    adminKey,
    relayToken,
    nonceSecret: randomBytes(24).toString('base64url'),
  };
  const server = await startProcess(
    process.execPath,
    [
      '--enable-source-maps',
      // BENCH_DECISION_NODE_ARGS: extra node flags for the decision server, as BENCH_RELAY_NODE_ARGS for the relay.
      ...(process.env['BENCH_DECISION_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
      bundle.file,
      JSON.stringify(config),
    ],
    { name: 'decision server', readyPort: apiPort, cwd: root },
  ).catch(async (error: unknown) => {
    bundle.remove();
    await removeStore();
    throw error;
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const stack: BenchStack = {
    decideUrl: `${apiUrl}/v1/routing/decide`,
    decisionPid: server.pid,
    stop: async () => {
      await server.stop();
      bundle.remove();
      await removeStore();
    },
  };
  try {
    await configureBenchStack(apiUrl, adminKey, options);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return { stack, relayToken };
}

/**
 * Configures a running API as an operator would, through REST: one customer, an IPBX at the sipp UAC's
 * port, two providers for +1 in priority order (see startBenchStack for `provider` and `limits`).
 */
export async function configureBenchStack(
  apiUrl: string,
  adminKey: string,
  options: BenchConfig,
): Promise<void> {
  const api = async (path: string, body: unknown): Promise<{ id: string }> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path} → ${response.status}: ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const limits = options.limits ? { limits: { max_concurrent_calls: 1_000_000, max_cps: 100_000 } } : {};
  const customer = await api('/v1/customers', { name: options.name, ...limits });
  await api('/v1/ipbxs', {
    ...limits,
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
      ...limits,
      ...options.provider,
    });
    await api('/v1/routes', {
      customer_id: customer.id,
      provider_id: provider.id,
      target: '+1',
      priority: i + 1,
    });
  }
}
