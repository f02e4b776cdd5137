/**
 * The relay as its own process for `bench:media`, like bench/sip/tandem-relay.ts
 * but with the media anchor the runner would build: `TANDEM_RTPENGINE` in the
 * environment gives rtpengine anchoring, none gives `noMediaAnchor`.
 * argv[2]: the startRelay config as JSON. Prints `ready <udp port> <anchor>`.
 */
import { createMediaAnchor } from '../../edge-relay/media/create-media-anchor';
import { startRelay } from '../../edge-relay/service';
import { loadMediaSettings } from '../../functions/settings/media-settings';

const settings = loadMediaSettings(process.env);
const media = await createMediaAnchor(settings);
const relay = await startRelay({ ...JSON.parse(process.argv[2] ?? '{}'), logLevel: 'silent' }, { media });
process.once('SIGTERM', () => {
  void relay
    .stop()
    .then(() => media.close())
    .then(() => process.exit(0));
});
console.log(`ready ${relay.ports.udp} ${settings.rtpengines.length > 0 ? 'rtpengine' : 'none'}`);
