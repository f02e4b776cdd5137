/**
 * `npm run relay`: the relay alone against TANDEM_DECIDE_URL. The only file of
 * the relay with start-up side effects (environment, signals, exit).
 */

import { SettingsError } from '../platform/env';
import { createLogger } from './log';
import { createMediaAnchor } from './media/create-media-anchor';
import { startRelay } from './service';
import { loadMediaSettings } from './settings/media-settings';
import { loadRelaySettings } from './settings/relay-settings';

async function main(): Promise<void> {
  let settings: ReturnType<typeof loadRelaySettings>;
  let mediaSettings: ReturnType<typeof loadMediaSettings>;
  try {
    settings = loadRelaySettings(process.env);
    mediaSettings = loadMediaSettings(process.env);
  } catch (error) {
    if (error instanceof SettingsError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(settings.logLevel);
  const media = await createMediaAnchor(mediaSettings, { onEvent: (event) => log.info('media', { event }) });
  const relay = await startRelay(settings, { logger: log, media });
  let stopping = false;
  // The first signal drains: the relay refuses new calls and carries its own to their end (at
  // most TANDEM_DRAIN_S); a second one (an operator who cannot wait) ends the drain at once.
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.info('drain ended by signal', { signal });
      relay.endDrain();
      return;
    }
    stopping = true;
    log.info('shutting down', { signal, drain_s: settings.drainS });
    await relay.drain();
    await relay.stop();
    await media.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`relay failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
