import type { MediaSettings } from '../settings/media-settings';
import type { MediaAnchor } from './media-anchor';
import { noMediaAnchor } from './no-media-anchor';
import { createRtpengineAnchor, type RtpengineAnchorOptions } from './rtpengine-anchor';

/**
 * The anchor the relay runs with: rtpengine when `TANDEM_RTPENGINE` lists
 * instances, otherwise no anchoring.
 *
 * @example
 * const anchor = await createMediaAnchor(loadMediaSettings(process.env), { onEvent: log });
 */
export async function createMediaAnchor(
  settings: MediaSettings,
  options: Omit<RtpengineAnchorOptions, 'instances' | 'failurePolicy'> = {},
): Promise<MediaAnchor> {
  if (settings.rtpengines.length === 0) return noMediaAnchor;
  return createRtpengineAnchor({
    ...options,
    instances: settings.rtpengines,
    failurePolicy: settings.failurePolicy,
  });
}
