import type { CallEnd } from '../cdr/call-record';
import type { Dialog } from '../dialog/dialog';
import { routeInDialog } from '../proxy/in-dialog';
import { ownVia, withTopVia } from '../proxy/own-via';
import { upstreamResponse } from '../proxy/upstream-response';
import { newBranch } from '../sip/branch';
import { header, type SipRequest, serialize } from '../sip/message';
import { makeResponse } from '../sip/response';
import { tagOf } from '../sip/uri';
import type { ServerTransaction } from '../transaction/transactions';
import { dialogRecord } from './call-dialog';
import type { RelayContext } from './context';
import { settleDialog } from './dialog-end';
import { answerSdp, isSdp } from './media-sdp';

/**
 * Requests inside a dialog (and ACKs for 2xx): loose routing through the
 * dialog store, stateful for everything but ACK, media re-offers for
 * anchored calls, and the end of the call on a BYE's 2xx.
 *
 * @example
 * const inDialog = createInDialogRunner(ctx);
 * await inDialog.handle(bye, serverTransaction);
 */
export function createInDialogRunner(ctx: RelayContext) {
  const { log, transactions } = ctx;

  /** The dialog of an answered call, or the early dialog of a call still ringing (PRACK, UPDATE). */
  async function dialogFor(callId: string): Promise<Dialog | undefined> {
    const stored = await ctx.dialogs.get(callId);
    if (stored) {
      // Adopted from the site's Redis (its requests now reach this relay), or already held.
      ctx.held.hold(stored.call_id, stored.started_at);
      return stored;
    }
    const call = ctx.callsById.get(callId);
    if (call?.state.phase !== 'routing') return undefined;
    const branch = [...call.state.branches].reverse().find((b) => !b.done && !b.abandoned);
    const hop = branch ? call.hops.get(branch.id) : undefined;
    if (!hop || !branch) return undefined;
    return dialogRecord(
      call,
      hop,
      { branch: branch.id, cseqOffset: branch.cseqOffset, mediaInstance: null },
      ctx.now(),
    );
  }

  async function handle(request: SipRequest, tx: ServerTransaction | undefined): Promise<void> {
    const callId = header(request, 'call-id') ?? '';
    let dialog: Dialog | undefined;
    try {
      dialog = await dialogFor(callId);
    } catch (error) {
      log.error('dialog store', { call_id: callId, error: String(error) });
      if (tx) transactions.respond(tx, makeResponse(request, 500));
      return;
    }
    const branch = newBranch('0000000000');
    const result = routeInDialog(request, ctx.local, dialog, branch);
    if (result.kind === 'drop') {
      log.debug('in-dialog drop', { call_id: callId, reason: result.reason });
      return;
    }
    if (result.kind === 'reply') {
      if (tx) transactions.respond(tx, result.response);
      log.info('in-dialog reject', {
        call_id: callId,
        method: request.method,
        status: result.response.status,
      });
      return;
    }
    let { request: out, hop } = result;
    if (hop.transport !== 'udp' && !ctx.transport.hasConnection(hop)) {
      // The peer's own connection is gone: open one to its Route / Contact instead.
      hop = result.fallback;
      out = withTopVia(out, ownVia(ctx.local, hop.transport, branch));
    }
    const by = result.toward === 'callee' ? 'caller' : 'callee';
    const fromTag = tagOf(header(request, 'from')) ?? '';
    const toTag = tagOf(header(request, 'to')) ?? '';
    const instance = dialog?.media_instance ?? null;
    // rtpengine keys the re-offer and its answer by the same tags and branch.
    const leg = instance === null ? undefined : { callId, fromTag, toTag, viaBranch: branch, instance };
    const media =
      leg !== undefined && (request.method === 'INVITE' || request.method === 'UPDATE') && isSdp(out);
    if (media) {
      try {
        const offered = await ctx.media.offer({ ...leg, sdp: out.body });
        out = { ...out, body: offered.sdp };
      } catch (error) {
        log.warn('media re-offer failed', { call_id: callId, error: String(error) });
        if (tx) transactions.respond(tx, makeResponse(request, 488));
        return;
      }
    }
    log.debug('in-dialog', { call_id: callId, method: request.method, toward: result.toward });
    if (!tx) {
      ctx.transport.send(hop, serialize(out));
      return;
    }
    if (request.method === 'INVITE') tx.onCancel = () => transactions.cancel(branch);
    transactions.request(out, hop, async (response) => {
      let back = upstreamResponse(response, result.cseqOffset);
      if (media && response.status >= 200 && response.status < 300 && isSdp(back)) {
        const failure = 'media re-answer failed, SDP passed unchanged';
        const answered = await answerSdp(ctx, { ...leg, sdp: back.body }, failure);
        back = { ...back, body: answered.sdp };
      }
      transactions.respond(tx, back);
      // A BYE answered 2xx ends the call; 408 or 481 say the far end is gone: ended too.
      const ok = response.status >= 200 && response.status < 300;
      if (request.method === 'BYE' && (ok || response.status === 408 || response.status === 481)) {
        endCall(callId, instance, { at: ctx.now(), by, reason: ok ? 'bye' : 'bye_failed' });
      }
    });
  }

  /** Takes the dialog (one relay of the site gets it), closes its record, frees its media. */
  function endCall(
    callId: string,
    instance: string | null,
    end: CallEnd & { by: 'caller' | 'callee' },
  ): void {
    if (instance !== null) void ctx.media.delete({ callId, instance });
    ctx.held.release(callId);
    ctx.events.emit('call-end', { call_id: callId, ended_at: end.at, by: end.by });
    // At debug: the call's outcome was logged at its final answer (`final`), and its end is in its
    // CDR (tm_end, ended_by, end_reason); one info line per call keeps logging off the call's cost.
    log.debug('call ended', { call_id: callId, by: end.by, reason: end.reason });
    ctx.dialogs.take(callId).then(
      (dialog) => {
        // Again: a request that crossed the BYE may have found the dialog before it was taken.
        ctx.held.release(callId);
        if (dialog) settleDialog(ctx, dialog, end);
      },
      (error) => log.error('dialog store', { call_id: callId, error: String(error) }),
    );
  }

  return { handle };
}
