import type { RouteTarget } from '../../contract/decide';
import { MediaAnchorError } from '../media/media-anchor';
import { header, type SipRequest, type SipResponse } from '../sip/message';
import { makeResponse } from '../sip/response';
import { tagOf } from '../sip/uri';
import { callerTag } from './call-dialog';
import type { CallRuntime, RelayContext } from './context';
import { answerSdp, isSdp } from './media-sdp';

/** The offerer's tag as rtpengine keys the call by it. */
const offererTag = (call: CallRuntime) => callerTag(call) ?? '';

/** Whether an attempt's INVITE goes through rtpengine first: its target anchors media and it has SDP. */
export function anchorsMedia(target: RouteTarget, request: SipRequest): boolean {
  return target.media_anchor && isSdp(request);
}

/**
 * Offers the attempt's SDP to rtpengine under the target's policy, then `send`s the INVITE with
 * rtpengine's SDP unless the call moved on meanwhile; a failed offer becomes the attempt's own
 * answer (`fail`: 488, 503 or 500).
 */
export function offerAttempt(
  ctx: RelayContext,
  call: CallRuntime,
  attempt: { branch: string; request: SipRequest; target: RouteTarget },
  send: (out: SipRequest) => void,
  fail: (response: SipResponse) => void,
): void {
  const { branch, request, target } = attempt;
  const policy = {
    ...(target.codecs ? { codecs: target.codecs } : {}),
    ...(target.dtmf_mode ? { dtmf_mode: target.dtmf_mode } : {}),
  };
  ctx.media
    .offer({
      callId: call.callId,
      fromTag: offererTag(call),
      viaBranch: branch,
      sdp: request.body,
      policy,
      ...(call.media.instance ? { instance: call.media.instance } : {}),
    })
    .then(
      (result) => {
        const live = call.state.branches.find((b) => b.id === branch);
        if (result.anchored) {
          call.media.anchored.add(branch);
          call.media.instance = result.instance;
        }
        if (!live || live.done || live.abandoned) return; // the call moved on while rtpengine answered
        send({ ...request, body: result.sdp });
      },
      (error) => {
        const status = error instanceof MediaAnchorError ? error.sipStatus : 500;
        ctx.log.warn('media offer failed', {
          call_id: call.callId,
          status,
          error: String(error?.message ?? error),
        });
        fail(makeResponse(request, status));
      },
    );
}

/** Whether a branch's response needs rtpengine's SDP: an 18x/2xx with SDP from an anchored branch. */
export function needsMediaAnswer(call: CallRuntime, branch: string, response: SipResponse): boolean {
  return response.status > 100 && response.status < 300 && call.media.anchored.has(branch) && isSdp(response);
}

/** The branch's response with rtpengine's SDP; a retransmission gets the SDP answered before. */
export async function withMediaAnswer(
  ctx: RelayContext,
  call: CallRuntime,
  branch: string,
  response: SipResponse,
): Promise<SipResponse> {
  const cached = call.media.answers.get(branch);
  if (cached?.from === response.body) return { ...response, body: cached.to };
  const answered = await answerSdp(
    ctx,
    {
      callId: call.callId,
      fromTag: offererTag(call),
      toTag: tagOf(header(response, 'to')) ?? '',
      viaBranch: branch,
      sdp: response.body,
      ...(call.media.instance ? { instance: call.media.instance } : {}),
    },
    'media answer failed, SDP passed unchanged',
  );
  if (answered.rewritten) call.media.answers.set(branch, { from: response.body, to: answered.sdp });
  return { ...response, body: answered.sdp };
}

/** Releases the media of one failed attempt that rtpengine anchored (the call's other branches stay). */
export function releaseAttemptMedia(ctx: RelayContext, call: CallRuntime, branch: string): void {
  if (!call.media.anchored.delete(branch)) return;
  void ctx.media.delete({ callId: call.callId, fromTag: offererTag(call), viaBranch: branch });
}

/** Releases all the media of a call that failed, if rtpengine holds any. */
export function releaseCallMedia(ctx: RelayContext, call: CallRuntime): void {
  if (call.media.anchored.size === 0 && !call.media.instance) return;
  void ctx.media.delete({
    callId: call.callId,
    ...(call.media.instance ? { instance: call.media.instance } : {}),
  });
}
