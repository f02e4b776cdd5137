import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../functions/local/local-stack';
import type { RtpengineAddress } from '../../functions/settings/media-settings';
import type { SipProxy } from '../sip/kamailio';
import { freeUdpPort, stopChild } from '../sip/sipp';

const root = new URL('../../', import.meta.url).pathname;

/**
 * Tandem for the media benchmark: the same set-up as bench/sip/tandem.ts (local
 * stack in this process, one customer, an IPBX at the UAC's port, two providers
 * for +1 in priority order), with `media_anchor` on both providers and the
 * relay child given `TANDEM_RTPENGINE` when `rtpengine` is set.
 *
 * @example
 * const proxy = await startTandemMedia({ primary, secondary, uacPort, rtpengine: engine.address });
 */
export async function startTandemMedia(options: {
  primary: number;
  secondary: number;
  uacPort: number;
  /** Anchor through this rtpengine; absent: providers without media_anchor, relay without rtpengine. */
  rtpengine?: RtpengineAddress;
  /** Codec policy of the providers (anchored only), e.g. PCMA-only to force transcoding. */
  codecs?: { allow: string[]; transcode: string[] };
}): Promise<SipProxy> {
  const adminKey = `tdm_admin_${randomBytes(18).toString('base64url')}`;
  const relayToken = `tdm_relay_${randomBytes(18).toString('base64url')}`;
  const stack = await startLocalStack({
    apiPort: 0,
    dynamodb: { dataDir: mkdtempSync(join(tmpdir(), 'tandem-bench-media-ddb-')) },
    tableName: 'bench-media',
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
  const anchored = options.rtpengine !== undefined;
  const customer = await api('/v1/customers', { name: 'bench-media' });
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
      media_anchor: anchored,
      ...(anchored && options.codecs ? { codecs: options.codecs } : {}),
    });
    await api('/v1/routes', {
      customer_id: customer.id,
      provider_id: provider.id,
      target: '+1',
      priority: i + 1,
    });
  }
  const port = await freeUdpPort();
  const env = { ...process.env };
  delete env.TANDEM_RTPENGINE;
  if (options.rtpengine) env.TANDEM_RTPENGINE = `${options.rtpengine.host}:${options.rtpengine.port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'bench/media/relay-child.ts'),
      JSON.stringify({ address: '127.0.0.1', port, decideUrl: stack.decideUrl, relayToken }),
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`relay exited early (${code})`)));
  });
  return {
    name: anchored ? `Tandem anchored${options.codecs ? ' + transcoding' : ''}` : 'Tandem unanchored',
    port,
    pid: child.pid ?? -1,
    stop: async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
      await stack.stop();
    },
  };
}
