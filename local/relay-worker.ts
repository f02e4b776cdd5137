/**
 * The relay inside `npm start`, on a thread of its own (local/relay-thread.ts starts it): its event
 * loop and its core are then the relay's alone, as on a relay VM, while the API, the decision and CDR
 * ingestion run on the main thread. Takes its settings as workerData; answers `stop` by draining
 * for at most `drainMs`, stopping, and saying `stopped`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RelayConfig } from '../edge-relay/config';
import { createLogger } from '../edge-relay/log';
import { createMediaAnchor } from '../edge-relay/media/create-media-anchor';
import { startRelay } from '../edge-relay/service';
import type { MediaSettings } from '../edge-relay/settings/media-settings';
import type { RelayThreadMessage } from './relay-thread';

const { relay: relaySettings, media: mediaSettings } = workerData as {
  relay: RelayConfig;
  media: MediaSettings;
};
const post = (message: RelayThreadMessage) => parentPort?.postMessage(message);

try {
  const log = createLogger(relaySettings.logLevel);
  const media = await createMediaAnchor(mediaSettings, { onEvent: (event) => log.info('media', { event }) });
  const relay = await startRelay(relaySettings, { logger: log, media });
  parentPort?.on('message', (message: { stop: { drainMs: number } }) => {
    const ending = setTimeout(() => relay.endDrain(), message.stop.drainMs);
    void relay
      .drain()
      .then(() => {
        clearTimeout(ending);
        return relay.stop();
      })
      .then(() => media.close())
      .then(
        () => post({ stopped: true }),
        (error: unknown) => post({ failed: (error as Error).message }),
      );
  });
  post({ started: { address: relay.address, ports: relay.ports } });
} catch (error) {
  post({ failed: (error as Error).message });
}
