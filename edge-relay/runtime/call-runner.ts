import type { RouteTarget } from '../../contract/decide';
import type { Dialog } from '../dialog/dialog';
import { MediaAnchorError } from '../media/media-anchor';
import { type CallAction, type CallEvent, callReducer, startCall } from '../proxy/call';
import { header, type SipRequest, type SipResponse } from '../sip/message';
import { randomHex } from '../sip/random-id';
import { makeResponse } from '../sip/response';
import { popOwnRoutes } from '../sip/route';
import { parseUri, tagOf } from '../sip/uri';
import type { ServerTransaction } from '../transaction/transactions';
import type { Destination, Remote } from '../transport/sip-transport';
import type { CallRuntime, RelayContext } from './context';

const isSdp = (m: SipRequest | SipResponse) =>
  m.body.length > 0 && (header(m, 'content-type') ?? '').toLowerCase().startsWith('application/sdp');

/**
 * The imperative shell around the pure call reducer (proxy/call.ts): runs its
 * actions against transactions, timers, the decision, the dialog store and
 * the media anchor, and feeds their results back as events, one at a time.
 *
 * @example
 * const calls = createCallRunner(ctx);
 * calls.start(invite, remote, serverTransaction);
 */
export function createCallRunner(ctx: RelayContext) {
  const { log, transactions } = ctx;

  function start(request: SipRequest, remote: Remote, tx: ServerTransaction): void {
    const callId = header(request, 'call-id') ?? '';
    const step = startCall(popOwnRoutes(ctx.local, request), remote, randomHex(6), ctx.env());
    const call: CallRuntime = {
      state: step.state,
      tx,
      callId,
      timers: new Map(),
      hops: new Map(),
      attempts: [],
      receivedAt: ctx.now(),
      answeredAt: null,
      finished: false,
      queue: Promise.resolve(),
      media: { instance: null, anchored: new Set(), answers: new Map() },
    };
    ctx.calls.set(tx.key, call);
    ctx.callsById.set(callId, call);
    tx.onCancel = () => enqueue(call, () => dispatch(call, { type: 'cancel' }));
    log.debug('invite', {
      call_id: callId,
      from: `${remote.transport}:${remote.address}:${remote.port}`,
      ruri: request.uri,
    });
    execute(call, step.actions);
  }

  function enqueue(call: CallRuntime, run: () => void | Promise<void>): void {
    call.queue = call.queue.then(run).catch((error) => {
      log.error('call event failed', { call_id: call.callId, error: String(error?.stack ?? error) });
    });
  }

  function dispatch(call: CallRuntime, event: CallEvent): void {
    const step = callReducer(call.state, event, ctx.env());
    call.state = step.state;
    execute(call, step.actions);
  }

  function execute(call: CallRuntime, actions: CallAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'respond':
          transactions.respond(call.tx, action.response);
          if (action.response.status >= 200)
            log.info('final', { call_id: call.callId, status: action.response.status });
          break;
        case 'decide':
          ctx.decision.decide(action.request).then(
            (decision) => enqueue(call, () => dispatch(call, { type: 'decided', decision })),
            (error) => {
              log.warn('decision unavailable', {
                call_id: call.callId,
                error: String(error?.message ?? error),
              });
              enqueue(call, () => dispatch(call, { type: 'decide-failed', reason: String(error) }));
            },
          );
          break;
        case 'send-invite':
          sendInvite(call, action.branch, action.request, action.target);
          break;
        case 'cancel-branch':
          transactions.cancel(action.branch);
          break;
        case 'set-timer': {
          const key = `${action.timer}|${action.branch}`;
          clearTimeout(call.timers.get(key));
          const fire = () => {
            call.timers.delete(key);
            enqueue(call, () =>
              dispatch(call, { type: 'timer', timer: action.timer, branch: action.branch }),
            );
          };
          call.timers.set(key, setTimeout(fire, action.ms));
          break;
        }
        case 'clear-timer': {
          const key = `${action.timer}|${action.branch}`;
          clearTimeout(call.timers.get(key));
          call.timers.delete(key);
          break;
        }
        case 'attempt':
          call.attempts.push(action.outcome);
          log.info('attempt outcome', {
            call_id: call.callId,
            target: action.outcome.target_id,
            code: action.outcome.code,
            cause: action.outcome.cause,
            pdd_ms: action.outcome.pdd_ms,
          });
          ctx.events.emit('attempt', action.outcome);
          if (action.outcome.code >= 300 && call.media.anchored.delete(action.branch)) {
            void ctx.media.delete({
              callId: call.callId,
              fromTag: callerTag(call),
              viaBranch: action.branch,
            });
          }
          break;
        case 'answered':
          answered(call, action.branch, action.response, action.cseqOffset);
          break;
        case 'finished':
          finish(call, action.status);
          break;
      }
    }
  }

  function sendInvite(call: CallRuntime, branch: string, request: SipRequest, target: RouteTarget): void {
    const hop = targetHop(target);
    if (!hop) {
      const failed = makeResponse(request, 503, { reason: 'Bad Target URI' });
      enqueue(call, () => dispatch(call, { type: 'response', branch, response: failed }));
      return;
    }
    call.hops.set(branch, hop);
    log.debug('attempt', {
      call_id: call.callId,
      target: target.id,
      kind: target.kind,
      uri: target.uri,
      transport: hop.transport,
    });
    const send = (out: SipRequest) =>
      transactions.request(out, hop, (response) =>
        enqueue(call, () => onBranchResponse(call, branch, response)),
      );
    if (!target.media_anchor || !isSdp(request)) {
      send(request);
      return;
    }
    const policy = {
      ...(target.codecs ? { codecs: target.codecs } : {}),
      ...(target.dtmf_mode ? { dtmf_mode: target.dtmf_mode } : {}),
    };
    ctx.media
      .offer({
        callId: call.callId,
        fromTag: callerTag(call),
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
          log.warn('media offer failed', {
            call_id: call.callId,
            status,
            error: String(error?.message ?? error),
          });
          const failed = makeResponse(request, status);
          enqueue(call, () => dispatch(call, { type: 'response', branch, response: failed, own: true }));
        },
      );
  }

  /** 18x/2xx with SDP from an anchored branch get rtpengine's SDP before the core sees them. */
  async function onBranchResponse(call: CallRuntime, branch: string, response: SipResponse): Promise<void> {
    if (
      response.status > 100 &&
      response.status < 300 &&
      call.media.anchored.has(branch) &&
      isSdp(response)
    ) {
      const cached = call.media.answers.get(branch);
      let sdp = cached?.from === response.body ? cached.to : undefined;
      if (sdp === undefined) {
        try {
          const result = await ctx.media.answer({
            callId: call.callId,
            fromTag: callerTag(call),
            toTag: tagOf(header(response, 'to')) ?? '',
            viaBranch: branch,
            sdp: response.body,
            ...(call.media.instance ? { instance: call.media.instance } : {}),
          });
          sdp = result.sdp;
          call.media.answers.set(branch, { from: response.body, to: sdp });
        } catch (error) {
          log.warn('media answer failed, SDP passed unchanged', {
            call_id: call.callId,
            error: String(error),
          });
          sdp = response.body;
        }
      }
      dispatch(call, { type: 'response', branch, response: { ...response, body: sdp } });
      return;
    }
    dispatch(call, { type: 'response', branch, response });
  }

  function answered(call: CallRuntime, branch: string, response: SipResponse, cseqOffset: number): void {
    call.answeredAt = call.answeredAt ?? ctx.now();
    const hop = call.hops.get(branch);
    const tag = tagOf(header(call.state.request, 'from'));
    if (!hop || tag === undefined) return;
    const calleeTag = tagOf(header(response, 'to'));
    const dialog: Dialog = {
      call_id: call.callId,
      caller_tag: tag,
      ...(calleeTag ? { callee_tag: calleeTag } : {}),
      caller: { ...call.state.source },
      callee: { transport: hop.transport, address: hop.host, port: hop.port },
      cseq_offset: cseqOffset,
      media_instance: call.media.anchored.has(branch) ? call.media.instance : null,
      started_at: ctx.now(),
    };
    ctx.dialogs
      .put(dialog)
      .catch((error) => log.error('dialog store', { call_id: call.callId, error: String(error) }));
    // The client transaction (and through its callback this whole call) is no longer needed: 2xx
    // retransmissions are forwarded statelessly. Kept only when a retransmitted 2xx must still be
    // rewritten by the core (anchored SDP, CSeq shifted by our digest retry).
    if (cseqOffset === 0 && !call.media.anchored.has(branch)) transactions.terminateInvite(branch);
  }

  function finish(call: CallRuntime, status: number): void {
    for (const t of call.timers.values()) clearTimeout(t);
    call.timers.clear();
    if (call.finished) return;
    call.finished = true;
    if (status >= 300 && (call.media.anchored.size > 0 || call.media.instance)) {
      void ctx.media.delete({
        callId: call.callId,
        ...(call.media.instance ? { instance: call.media.instance } : {}),
      });
    }
    ctx.events.emit('call', {
      call_id: call.callId,
      source: call.state.source,
      status,
      received_at: call.receivedAt,
      answered_at: status < 300 ? (call.answeredAt ?? ctx.now()) : null,
      ended_at: ctx.now(),
      attempts: call.attempts,
    });
    // Late 2xx retransmissions and CANCEL races reach the call through its transactions, not these
    // maps (drain looks only for pending calls, the in-dialog runner only for ringing ones).
    if (ctx.calls.get(call.tx.key) === call) ctx.calls.delete(call.tx.key);
    if (ctx.callsById.get(call.callId) === call) ctx.callsById.delete(call.callId);
  }

  return { start };
}

function callerTag(call: CallRuntime): string {
  return tagOf(header(call.state.request, 'from')) ?? '';
}

function targetHop(target: RouteTarget): Destination | undefined {
  const uri = parseUri(target.uri);
  if (!uri || uri.scheme === 'tel' || !uri.host) return undefined;
  return {
    transport: target.transport,
    host: uri.host,
    port: uri.port ?? (target.transport === 'tls' ? 5061 : 5060),
  };
}
