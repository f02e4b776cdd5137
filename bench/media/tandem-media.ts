import type { RtpengineAddress } from '../../edge-relay/settings/media-settings';
import type { SipProxy } from '../sip/kamailio';
import { startTandem } from '../sip/tandem';

/**
 * Tandem for the media benchmark: bench:sip's Tandem (bench/sip/tandem.ts)
 * with `media_anchor` on both providers and the relay given `rtpengine`.
 *
 * @example
 * const proxy = await startTandemMedia({ primary, secondary, uacPort, rtpengine: engine.address });
 */
export function startTandemMedia(options: {
  primary: number;
  secondary: number;
  uacPort: number;
  /** Anchor through this rtpengine; absent: providers without media_anchor, relay without rtpengine. */
  rtpengine?: RtpengineAddress;
  /** Codec policy of the providers (anchored only), e.g. PCMA-only to force transcoding. */
  codecs?: { allow: string[]; transcode: string[] };
}): Promise<SipProxy> {
  const anchored = options.rtpengine !== undefined;
  return startTandem({
    primary: options.primary,
    secondary: options.secondary,
    uacPort: options.uacPort,
    name: anchored ? `Tandem anchored${options.codecs ? ' + transcoding' : ''}` : 'Tandem unanchored',
    stackName: 'bench-media',
    provider: { media_anchor: anchored, ...(anchored && options.codecs ? { codecs: options.codecs } : {}) },
    ...(options.rtpengine ? { rtpengine: options.rtpengine } : {}),
  });
}
