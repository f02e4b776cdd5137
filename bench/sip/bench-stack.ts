import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../functions/local/local-stack';

/**
 * The local stack (DynamoDB Local, API, decision) in this process, configured
 * through the REST API as an operator would: one customer, an IPBX at the sipp
 * UAC's port, two providers for +1 in priority order (`provider`: extra
 * fields of both, e.g. media anchoring). The relay then runs as a child with
 * `stack.decideUrl` and `relayToken`.
 *
 * @example
 * const { stack, relayToken } = await startBenchStack({ name: 'bench', primary, secondary, uacPort });
 */
export async function startBenchStack(options: {
  name: string;
  primary: number;
  secondary: number;
  uacPort: number;
  provider?: Record<string, unknown>;
}): Promise<{ stack: LocalStack; relayToken: string }> {
  const adminKey = `tdm_admin_${randomBytes(18).toString('base64url')}`;
  const relayToken = `tdm_relay_${randomBytes(18).toString('base64url')}`;
  const stack = await startLocalStack({
    apiPort: 0,
    dynamodb: { dataDir: mkdtempSync(join(tmpdir(), `tandem-${options.name}-ddb-`)) },
    tableName: options.name,
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
  const customer = await api('/v1/customers', { name: options.name });
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
      ...options.provider,
    });
    await api('/v1/routes', {
      customer_id: customer.id,
      provider_id: provider.id,
      target: '+1',
      priority: i + 1,
    });
  }
  return { stack, relayToken };
}
