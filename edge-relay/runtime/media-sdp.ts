import type { AnswerRequest } from '../media/media-anchor';
import { header, type SipMessage } from '../sip/message';
import type { RelayContext } from './context';

/** True when the message carries an SDP body: an offer or answer rtpengine must rewrite. */
export function isSdp(message: SipMessage): boolean {
  return (
    message.body.length > 0 &&
    (header(message, 'content-type') ?? '').toLowerCase().startsWith('application/sdp')
  );
}

/**
 * rtpengine's SDP for an answer. When rtpengine fails, the answer's own SDP goes on
 * (`rewritten: false`) and `failure` is logged: the call connects with media end to end
 * rather than not at all.
 */
export async function answerSdp(
  ctx: Pick<RelayContext, 'media' | 'log'>,
  request: AnswerRequest,
  failure: string,
): Promise<{ sdp: string; rewritten: boolean }> {
  try {
    return { sdp: (await ctx.media.answer(request)).sdp, rewritten: true };
  } catch (error) {
    ctx.log.warn(failure, { call_id: request.callId, error: String(error) });
    return { sdp: request.sdp, rewritten: false };
  }
}
