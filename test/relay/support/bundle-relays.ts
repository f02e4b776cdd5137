import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../platform/free-port';
import type { TestStack } from '../../support/stack';
import { type RelayProcess, startRelayProcess } from './relay-process';

export type BundleRelay = {
  readonly process: RelayProcess;
  readonly port: number;
  readonly httpPort: number;
};

/**
 * Relay bundles (node, logging at info) for one test file against `stack`: each gets free SIP and
 * HTTP ports, its own data folder (CDR spool, dialog journal) unless `env` names one, and the
 * RFC 3261 timers shortened as in-process test relays have them; all are killed by `killAll`.
 *
 * @example
 * const relays = bundleRelays(stack);
 * const { port } = await relays.start({ TANDEM_DIALOG_TTL_S: '5' });
 * afterAll(() => relays.killAll());
 */
export function bundleRelays(stack: TestStack) {
  const started: RelayProcess[] = [];
  return {
    async start(env: Record<string, string> = {}): Promise<BundleRelay> {
      const port = env['TANDEM_SIP_PORT'] ? Number(env['TANDEM_SIP_PORT']) : await freePort();
      const httpPort = env['TANDEM_RELAY_HTTP_PORT']
        ? Number(env['TANDEM_RELAY_HTTP_PORT'])
        : await freePort();
      const process = await startRelayProcess({
        TANDEM_SIP_ADDRESS: '127.0.0.1',
        TANDEM_SIP_PORT: String(port),
        TANDEM_RELAY_HTTP_PORT: String(httpPort),
        TANDEM_DECIDE_URL: stack.decideUrl,
        TANDEM_RELAY_TOKEN: stack.relayToken,
        TANDEM_DATA_DIR: mkdtempSync(join(tmpdir(), 'tandem-relay-data-')),
        TANDEM_SIP_T1_MS: '200',
        TANDEM_SIP_T2_MS: '2000',
        TANDEM_SIP_T4_MS: '2000',
        // Every peer is 127.0.0.1: refused test calls must not get the next ones banned.
        TANDEM_FLOOD_REJECTS: '0',
        ...env,
      });
      started.push(process);
      await process.waitFor('relay started');
      return { process, port, httpPort };
    },
    async killAll(): Promise<void> {
      for (const relay of started) await relay.kill9();
    },
  };
}
