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
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await relay.drain();
    await relay.stop();
    await media.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`relay failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
