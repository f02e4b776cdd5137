import { codecFlags } from './codec-policy';
import type { AnswerRequest, DeleteRequest, MediaPolicy, OfferRequest } from './media-anchor';
import { sdpAudioCodecs } from './sdp-codecs';

/** An ng-protocol command body (bencode dictionary) minus the `command` key. */
export type NgBody = Record<string, unknown>;

export type NgOfferBuild = { ok: true; body: NgBody } | { ok: false; reason: string };

/**
 * Topology hiding (the other side sees only rtpengine in `o=` and `c=`) and
 * plain RTP towards SIP trunks (ICE candidates of the far side removed).
 */
const COMMON_FLAGS = { replace: ['origin', 'session-connection'], ICE: 'remove' } as const;

const OPEN_POLICY = { allow: [], transcode: [] };

/**
 * Builds the ng `offer` body for one attempt from the request and the
 * receiving side's media policy; refuses when the codec policy leaves
 * nothing to offer.
 *
 * @example
 * buildOfferBody({ callId: 'c1', fromTag: 'a', viaBranch: 'z9hG4bK1', sdp, policy: { codecs: { allow: ['PCMA'], transcode: ['PCMA'] } } });
 * // { ok: true, body: { 'call-id': 'c1', 'from-tag': 'a', 'via-branch': 'z9hG4bK1', sdp, replace: [...], ICE: 'remove', codec: { mask: ['PCMU'], transcode: ['PCMA'] } } }
 */
export function buildOfferBody(request: OfferRequest): NgOfferBuild {
  const policy: MediaPolicy = request.policy ?? {};
  const decision = codecFlags(
    sdpAudioCodecs(request.sdp),
    policy.codecs ?? OPEN_POLICY,
    policy.dtmf_mode ?? 'rfc2833',
  );
  if (!decision.acceptable) return { ok: false, reason: decision.reason };
  return {
    ok: true,
    body: {
      'call-id': request.callId,
      'from-tag': request.fromTag,
      ...(request.toTag !== undefined && { 'to-tag': request.toTag }),
      'via-branch': request.viaBranch,
      sdp: request.sdp,
      ...COMMON_FLAGS,
      ...(decision.codec && { codec: decision.codec }),
      ...(decision.alwaysTranscode && { flags: ['always transcode'] }),
    },
  };
}

/** The ng `answer` body: codecs were settled on the offer, so only addressing and topology hiding. */
export function buildAnswerBody(request: AnswerRequest): NgBody {
  return {
    'call-id': request.callId,
    'from-tag': request.fromTag,
    'to-tag': request.toTag,
    'via-branch': request.viaBranch,
    sdp: request.sdp,
    ...COMMON_FLAGS,
  };
}

/**
 * The ng `delete` body: only the call-id deletes the whole call; with a
 * via-branch, only that attempt's branch (rtpengine needs the from-tag too).
 */
export function buildDeleteBody(request: DeleteRequest): NgBody {
  if (request.viaBranch === undefined) return { 'call-id': request.callId };
  return {
    'call-id': request.callId,
    ...(request.fromTag !== undefined && { 'from-tag': request.fromTag }),
    ...(request.toTag !== undefined && { 'to-tag': request.toTag }),
    'via-branch': request.viaBranch,
  };
}

/** rtpengine's answer when it no longer (or never) knew the call: nothing to delete. */
export function isUnknownCall(reason: string): boolean {
  return /unknown call|call-id not found|unknown (from|to)-tag/i.test(reason);
}

/** Refusals that say "this instance is full", not "this SDP is bad": another instance may take the call. */
export function isOverloaded(reason: string): boolean {
  return /limit|load|bandwidth|ports|overload|cpu/i.test(reason);
}
