import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import type { RelayConfig } from '../edge-relay/config';
import type { Relay } from '../edge-relay/service';
import type { MediaSettings } from '../edge-relay/settings/media-settings';
import { relayBuildOptions } from '../infra/build/esbuild-options';

/** What the relay's thread tells `npm start`. */
export type RelayThreadMessage =
  | { started: Pick<Relay, 'address' | 'ports'> }
  | { stopped: true }
  | { failed: string };

export type RelayThread = Pick<Relay, 'address' | 'ports'> & {
  /** Drains for at most `drainMs` (calls still up stay in the dialog journal), then stops the relay and its thread. */
  stop(drainMs: number): Promise<void>;
};

/**
 * `npm start`'s relay on a worker thread (local/relay-worker.ts). On one thread with the API,
 * every decide, CDR batch and config reload would wait in the relay's event loop and the other
 * core would sit idle: `npm start` held 500 calls/s with p99 68 ms that way
 * (docs/performance.md). A relay that dies takes `npm start` down with it (`onCrash`), as
 * before, rather than leaving an API without SIP.
 *
 * @example
 * const relay = await startRelayThread(relaySettings, mediaSettings, { onCrash: (message) => fail(message) });
 */
export async function startRelayThread(
  relay: RelayConfig,
  media: MediaSettings,
  options: { onCrash: (message: string) => void },
): Promise<RelayThread> {
  const bundle = await bundleRelayWorker();
  const worker = new Worker(bundle.file, { workerData: { relay, media } });
  let stopping: ((error?: Error) => void) | undefined;
  let exited = false;
  worker.once('exit', () => {
    exited = true;
    bundle.remove();
    stopping?.();
  });
  return await new Promise((resolve, reject) => {
    worker.on('message', (message: RelayThreadMessage) => {
      if ('started' in message) {
        resolve({
          ...message.started,
          stop: (drainMs) =>
            new Promise<void>((done, fail) => {
              if (exited) return done();
              stopping = (error) => (error ? fail(error) : done());
              worker.postMessage({ stop: { drainMs } });
            }),
        });
      } else if ('stopped' in message) {
        void worker.terminate();
      } else {
        const error = new Error(message.failed);
        if (stopping) stopping(error);
        else reject(error);
        void worker.terminate();
      }
    });
    worker.on('error', (error) => {
      reject(error);
      if (stopping) stopping(error);
      else options.onCrash(error.message);
    });
  });
}

/**
 * The worker bundled as `npm run build:relay` bundles the relay for a VM (infra/build): the code a
 * relay runs deployed, built afresh at every start (well under a second), never a stale copy.
 */
async function bundleRelayWorker(): Promise<{ file: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-relay-thread-'));
  const file = join(dir, 'relay-worker.mjs');
  await build(relayBuildOptions(fileURLToPath(new URL('./relay-worker.ts', import.meta.url)), file));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  return { file, remove };
}
