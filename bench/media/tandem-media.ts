import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freeUdpPort } from '../../functions/local/free-port';
import type { RtpengineAddress } from '../../functions/settings/media-settings';
import { bundleChild } from '../child-bundle';
import { startBenchStack } from '../sip/bench-stack';
import type { SipProxy } from '../sip/kamailio';
import { stopChild } from '../sip/sipp';

const root = new URL('../../', import.meta.url).pathname;

/**
 * Tandem for the media benchmark: the stack of bench/sip/bench-stack.ts with
 * `media_anchor` on both providers and the relay child given
 * `TANDEM_RTPENGINE` when `rtpengine` is set.
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
  const anchored = options.rtpengine !== undefined;
  const { stack, relayToken } = await startBenchStack({
    name: 'bench-media',
    primary: options.primary,
    secondary: options.secondary,
    uacPort: options.uacPort,
    provider: { media_anchor: anchored, ...(anchored && options.codecs ? { codecs: options.codecs } : {}) },
  });
  const port = await freeUdpPort();
  const env = { ...process.env };
  delete env.TANDEM_RTPENGINE;
  if (options.rtpengine) env.TANDEM_RTPENGINE = `${options.rtpengine.host}:${options.rtpengine.port}`;
  const relay = await bundleChild(join(root, 'bench/media/relay-child.ts'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      relay.file,
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
    decisionPid: stack.decisionPid,
    stop: async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
      relay.remove();
      await stack.stop();
    },
  };
}
