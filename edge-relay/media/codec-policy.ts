import type { CodecPolicy, DtmfMode } from '../../contract/peer';
import { hasCodec, type OfferedCodecs } from './sdp-codecs';

/** The ng-protocol `codec` dictionary (rtpengine codec manipulation). */
export type NgCodecFlags = { strip?: string[]; mask?: string[]; transcode?: string[]; offer?: string[] };

export type CodecDecision =
  | { acceptable: true; codec: NgCodecFlags | undefined; alwaysTranscode: boolean }
  | { acceptable: false; reason: string };

const TELEPHONE_EVENT = 'telephone-event';
/** Codecs that carry no voice: never filtered by `allow`, never enough on their own. */
const AUXILIARY = ['telephone-event', 'CN'];

/**
 * Turns the target's codec policy and the codecs of an offer into rtpengine
 * codec flags for the offer rtpengine forwards to that target.
 *
 * - Codecs outside `allow` are stripped, or masked when transcoding is on (the
 *   offering side may still send them; rtpengine transcodes).
 * - `transcode` codecs the offer lacks are added through transcoding.
 * - DTMF: `rfc2833` keeps telephone-event (and adds it when transcoding anyway),
 *   `inband` masks it and transcodes always, so rtpengine still accepts events
 *   from the offerer and plays them as tones towards the target (costs CPU),
 *   `info` strips it (DTMF travels in SIP INFO, outside the media path).
 * - Nothing voice left to offer: not acceptable (the relay answers 488).
 *
 * @example
 * codecFlags(['PCMU', 'telephone-event'], { allow: ['PCMA'], transcode: ['PCMA'] }, 'rfc2833');
 * // { acceptable: true, codec: { mask: ['PCMU'], transcode: ['PCMA'] }, alwaysTranscode: false }
 */
export function codecFlags(offered: OfferedCodecs, policy: CodecPolicy, dtmf: DtmfMode): CodecDecision {
  const voice = offered.filter((c) => !hasCodec(AUXILIARY, c));
  const allowed = (c: string) => policy.allow.length === 0 || hasCodec(policy.allow, c);
  const kept = voice.filter(allowed);
  const removed = voice.filter((c) => !allowed(c));
  const added = policy.transcode.filter((c) => !hasCodec(offered, c) && !hasCodec(AUXILIARY, c));
  if (voice.length > 0 && kept.length === 0 && added.length === 0) {
    return {
      acceptable: false,
      reason: `no offered codec (${voice.join(', ')}) is allowed (${policy.allow.join(', ')})`,
    };
  }
  const transcoding = added.length > 0;
  const strip: string[] = [];
  const mask: string[] = [];
  const transcode = [...added];
  (transcoding ? mask : strip).push(...removed);

  const offersEvents = offered.find((c) => c.toLowerCase() === TELEPHONE_EVENT);
  if (dtmf === 'rfc2833' && !offersEvents && transcoding) transcode.push(TELEPHONE_EVENT);
  if (dtmf === 'inband' && offersEvents) mask.push(offersEvents);
  if (dtmf === 'info' && offersEvents) strip.push(offersEvents);

  const codec: NgCodecFlags = {
    ...(strip.length > 0 && { strip }),
    ...(mask.length > 0 && { mask }),
    ...(transcode.length > 0 && { transcode }),
  };
  return {
    acceptable: true,
    codec: Object.keys(codec).length > 0 ? codec : undefined,
    alwaysTranscode: dtmf === 'inband' && offersEvents !== undefined,
  };
}
