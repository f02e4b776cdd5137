import type { RouteTarget } from '../../contract/decide';

/** The media policy of the side that receives an offer (absent fields: accept what comes, RFC 2833). */
export type MediaPolicy = Pick<RouteTarget, 'codecs' | 'dtmf_mode'>;

export type OfferRequest = {
  callId: string;
  /** Tag of the side sending this offer: the From tag of the INVITE / re-INVITE / UPDATE. */
  fromTag: string;
  /** In-dialog offers only: the tag of the other side. */
  toTag?: string;
  /** The branch of this attempt (the Via branch the relay adds), so a failed attempt can be released alone. */
  viaBranch: string;
  sdp: string;
  /** Policy of the side that will receive the offer (the attempt's target on an initial INVITE). */
  policy?: MediaPolicy;
  /** The instance this call already uses (kept in the dialog); a new call picks one. */
  instance?: string;
};

export type AnswerRequest = {
  callId: string;
  /** Tag of the side that sent the offer (the same fromTag as the offer). */
  fromTag: string;
  /** Tag of the answering side (the To tag of the 18x/2xx). */
  toTag: string;
  viaBranch: string;
  sdp: string;
  instance?: string;
};

/**
 * Without `viaBranch`: the whole call (BYE, CANCEL, final failure, timeout).
 * With `viaBranch` (and the offer's fromTag): only that attempt's branch.
 */
export type DeleteRequest = {
  callId: string;
  fromTag?: string;
  toTag?: string;
  viaBranch?: string;
  instance?: string;
};

/** `instance` is `host:port` of the rtpengine that holds the call; keep it with the dialog. */
export type MediaResult = { sdp: string; anchored: boolean; instance: string | null };

export type PacketCounters = { packets: number; bytes: number; errors: number };
export type MediaStats = {
  instance: string;
  rtp: PacketCounters;
  rtcp: PacketCounters;
  /** rtpengine's `query` reply as received, for diagnostics. */
  raw: Record<string, unknown>;
};

/**
 * What the relay uses to anchor media: one offer per attempt, an answer per
 * 18x/2xx with SDP, deletes for failed attempts and ended calls. Two
 * implementations: no anchoring (`noMediaAnchor`) and rtpengine.
 *
 * @example
 * const { sdp, instance } = await anchor.offer({ callId, fromTag, viaBranch, sdp: inviteSdp, policy: target });
 * const answered = await anchor.answer({ callId, fromTag, toTag, viaBranch, sdp: okSdp, instance });
 * await anchor.delete({ callId, instance }); // on BYE
 */
export interface MediaAnchor {
  offer(request: OfferRequest): Promise<MediaResult>;
  answer(request: AnswerRequest): Promise<MediaResult>;
  /** Best effort: never throws; failures are reported through the anchor's events. */
  delete(request: DeleteRequest): Promise<void>;
  query(callId: string, instance?: string): Promise<MediaStats | null>;
  close(): Promise<void>;
}

/** A media failure the relay turns into a SIP final response (488 codecs, 503 no rtpengine, 500 other). */
export class MediaAnchorError extends Error {
  constructor(
    message: string,
    readonly sipStatus: 488 | 500 | 503,
  ) {
    super(message);
    this.name = 'MediaAnchorError';
  }
}
