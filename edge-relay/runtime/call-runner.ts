import { randomUUID } from 'node:crypto';
import type { DecideResponse, RouteTarget } from '../../contract/decide';
import { describeRefusal, scopeKey } from '../admission/admission';
import { closeCallRecord } from '../cdr/call-record';
import type { Dialog } from '../dialog/dialog';
import type { AttemptOutcome } from '../events';
import { targetHop } from '../proxy/attempt-request';
import { type CallAction, type CallEvent, callReducer, startCall } from '../proxy/call';
import { header, type SipRequest, type SipResponse } from '../sip/message';
import { randomHex } from '../sip/random-id';
import type { Remote } from '../sip/remote';
import { makeResponse } from '../sip/response';
import { popOwnRoutes } from '../sip/route';
import { tagOf } from '../sip/uri';
import type { ServerTransaction } from '../transaction/transactions';
import { dialogRecord } from './call-dialog';
import { emitCallOutcome, recordAttempt } from './call-events';
import {
  anchorsMedia,
  needsMediaAnswer,
  offerAttempt,
  releaseAttemptMedia,
  releaseCallMedia,
  withMediaAnswer,
} from './call-media';
import { callRecord, writeRecord } from './call-record';
import { clearCallTimer, clearCallTimers, setCallTimer } from './call-timers';
import type { CallRuntime, RelayContext } from './context';

type RouteDecision = Extract<DecideResponse, { action: 'route' }>;

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
      recordId: randomUUID(),
      decisionAsked: false,
      decision: undefined,
      ringingAt: null,
      finalReason: '',
      answeredBranch: undefined,
      pendingDialog: undefined,
      leases: [],
      branchLeases: new Map(),
      queue: Promise.resolve(),
      media: { instance: null, anchored: new Set(), answers: new Map() },
    };
    ctx.calls.set(tx.key, call);
    ctx.callsById.set(callId, call);
    tx.onCancel = () => feed(call, { type: 'cancel' });
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

  /** An event from outside the call's queue: it waits for the events before it. */
  function feed(call: CallRuntime, event: CallEvent): void {
    enqueue(call, () => dispatch(call, event));
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
          if (action.response.status >= 200) call.finalReason = action.response.reason;
          else if (action.response.status > 100) call.ringingAt ??= ctx.now();
          break;
        case 'decide':
          call.decisionAsked = true;
          ctx.decision.decide(action.request).then(
            (decision) => {
              call.decision = decision;
              if (decision.action === 'route' && decision.limits?.length) admitCall(call, decision);
              else feed(call, { type: 'decided', decision });
            },
            (error) => {
              log.warn('decision unavailable', {
                call_id: call.callId,
                error: String(error?.message ?? error),
              });
              feed(call, { type: 'decide-failed', reason: String(error) });
            },
          );
          break;
        case 'send-invite':
          sendInvite(call, action.branch, action.request, action.target);
          break;
        case 'cancel-branch':
          transactions.cancel(action.branch);
          break;
        case 'set-timer':
          setCallTimer(call, action.timer, action.branch, action.ms, () =>
            feed(call, { type: 'timer', timer: action.timer, branch: action.branch }),
          );
          break;
        case 'clear-timer':
          clearCallTimer(call, action.timer, action.branch);
          break;
        case 'attempt':
          recordAttempt(ctx, call, action.outcome);
          if (action.outcome.target_kind === 'provider') observeAttempt(call, action.outcome);
          if (action.outcome.code >= 300) {
            releaseAttemptMedia(ctx, call, action.branch);
            releaseAttemptLease(call, action.branch);
          }
          break;
        case 'answered':
          answered(call, action.branch, action.response, action.cseqOffset);
          break;
        case 'finished':
          finish(call, action.status, action.refused);
          break;
      }
    }
  }

  /** The caller side's limits (its IPBX, its customer): leases for the call, or 503 before any attempt. */
  function admitCall(call: CallRuntime, decision: RouteDecision): void {
    const scopes = decision.limits!.map((l) => ({ key: scopeKey(l.scope, l.id), limits: l.limits }));
    void ctx.admission.admit(call.recordId, scopes).then((refusal) => {
      if (refusal) {
        const { scope, limit } = describeRefusal(refusal);
        const retryAfterS = limit === 'max_cps' ? 1 : ctx.config.retryAfterS;
        feed(call, { type: 'over-limit', scope, limit, retryAfterS });
        return;
      }
      const keys = scopes.map((s) => s.key);
      // A CANCEL that came while Redis answered has ended the call: nothing to hold.
      if (call.finished) ctx.admission.release(call.recordId, keys);
      else call.leases = keys;
      feed(call, { type: 'decided', decision });
    });
  }

  /** A provider with limits: its lease first; over the limit, the next target (no INVITE sent). */
  function sendInvite(call: CallRuntime, branch: string, request: SipRequest, target: RouteTarget): void {
    if (target.kind !== 'provider' || !target.limits) {
      placeAttempt(call, branch, request, target);
      return;
    }
    const key = scopeKey('provider', target.id);
    void ctx.admission.admit(call.recordId, [{ key, limits: target.limits }]).then((refusal) => {
      if (refusal) {
        log.debug('provider over limit', { call_id: call.callId, provider: target.id, limit: refusal.limit });
        feed(call, { type: 'attempt-refused', branch });
        return;
      }
      const live = call.state.branches.find((b) => b.id === branch);
      if (call.finished || !live || live.done || live.abandoned) {
        ctx.admission.release(call.recordId, [key]);
        return;
      }
      call.branchLeases.set(branch, key);
      placeAttempt(call, branch, request, target);
    });
  }

  function observeAttempt(call: CallRuntime, outcome: AttemptOutcome): void {
    const target = call.state.targets.find((t) => t.kind === 'provider' && t.id === outcome.target_id);
    ctx.observeAttempt(outcome, target?.passive_down_after);
  }

  function releaseAttemptLease(call: CallRuntime, branch: string): void {
    const key = call.branchLeases.get(branch);
    if (key === undefined) return;
    call.branchLeases.delete(branch);
    ctx.admission.release(call.recordId, [key]);
  }

  /** Every lease of a call that ended without an answer. */
  function releaseLeases(call: CallRuntime): void {
    const keys = [...call.leases, ...call.branchLeases.values()];
    call.leases = [];
    call.branchLeases.clear();
    if (keys.length > 0) ctx.admission.release(call.recordId, keys);
  }

  function placeAttempt(call: CallRuntime, branch: string, request: SipRequest, target: RouteTarget): void {
    const hop = targetHop(target);
    if (!hop) {
      const failed = makeResponse(request, 503, { reason: 'Bad Target URI' });
      feed(call, { type: 'response', branch, response: failed });
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
    // The target's certificate policy goes with the attempt's requests (INVITE, CANCEL, ACK).
    const to = target.tls ? { ...hop, tls: target.tls } : hop;
    const send = (out: SipRequest) =>
      transactions.request(out, to, (response) =>
        enqueue(call, () => onBranchResponse(call, branch, response)),
      );
    if (!anchorsMedia(target, request)) {
      send(request);
      return;
    }
    offerAttempt(ctx, call, { branch, request, target }, send, (failed) =>
      feed(call, { type: 'response', branch, response: failed, own: true }),
    );
  }

  /** 18x/2xx with SDP from an anchored branch get rtpengine's SDP before the core sees them. */
  async function onBranchResponse(call: CallRuntime, branch: string, response: SipResponse): Promise<void> {
    const relayed = needsMediaAnswer(call, branch, response)
      ? await withMediaAnswer(ctx, call, branch, response)
      : response;
    dispatch(call, { type: 'response', branch, response: relayed });
  }

  function answered(call: CallRuntime, branch: string, response: SipResponse, cseqOffset: number): void {
    call.answeredAt = call.answeredAt ?? ctx.now();
    call.answeredBranch ??= branch;
    const hop = call.hops.get(branch);
    if (!hop) return;
    const maxDurationS = call.decision?.action === 'route' ? call.decision.max_duration_s : undefined;
    const leases = [
      ...call.leases,
      ...(call.branchLeases.has(branch) ? [call.branchLeases.get(branch)!] : []),
    ];
    const dialog = dialogRecord(
      call,
      hop,
      {
        branch,
        calleeTag: tagOf(header(response, 'to')),
        cseqOffset,
        mediaInstance: call.media.anchored.has(branch) ? call.media.instance : null,
        ...(maxDurationS !== undefined ? { endsAt: ctx.now() + maxDurationS * 1000 } : {}),
        ...(leases.length > 0 ? { leases: { member: call.recordId, keys: leases } } : {}),
      },
      ctx.now(),
    );
    if (!dialog) {
      // No From tag: no dialog that could carry the leases to the call's end.
      releaseLeases(call);
      return;
    }
    // The first answer's dialog waits for the call's record (finish, in the same turn); a later
    // answer of a forked call is a dialog of its own, without a record.
    if (call.finished) storeDialog(call, dialog);
    else call.pendingDialog = dialog;
    if (dialog.ends_at !== undefined) ctx.events.emit('call-deadline', dialog.ends_at);
    // The client transaction (and through its callback this whole call) is no longer needed: 2xx
    // retransmissions are forwarded statelessly. Kept only when a retransmitted 2xx must still be
    // rewritten by the core (anchored SDP, CSeq shifted by our digest retry).
    if (cseqOffset === 0 && !call.media.anchored.has(branch)) transactions.terminateInvite(branch);
  }

  /** The final answer went to the caller; a refusal is logged by whoever listens to 'call' (service.ts). */
  function finish(call: CallRuntime, status: number, refused: string | undefined): void {
    clearCallTimers(call);
    if (call.finished) return;
    call.finished = true;
    if (refused === undefined) {
      const last = call.attempts.at(-1);
      log.info('final', {
        call_id: call.callId,
        status,
        attempts: call.attempts.length,
        target: last?.target_id ?? null,
        pdd_ms: last?.pdd_ms ?? null,
      });
    }
    if (status >= 300) {
      releaseCallMedia(ctx, call);
      releaseLeases(call);
    }
    emitCallOutcome(ctx, call, status, refused);
    const record = callRecord(ctx, call, status, refused);
    const dialog = call.pendingDialog;
    call.pendingDialog = undefined;
    if (dialog) storeDialog(call, record ? { ...dialog, cdr: JSON.stringify(record) } : dialog);
    // An unanswered call ends here; an answered one when its dialog is taken (BYE, expiry).
    else if (record) writeRecord(ctx, closeCallRecord(record, { at: ctx.now(), by: null, reason: null }));
    // Late 2xx retransmissions and CANCEL races reach the call through its transactions, not these
    // maps (drain looks only for pending calls, the in-dialog runner only for ringing ones).
    if (ctx.calls.get(call.tx.key) === call) ctx.calls.delete(call.tx.key);
    if (ctx.callsById.get(call.callId) === call) ctx.callsById.delete(call.callId);
  }

  function storeDialog(call: CallRuntime, dialog: Dialog): void {
    ctx.dialogs
      .put(dialog)
      // Held under the store's own copy of the Call-ID (no second string per call); a call that
      // ended meanwhile is not found, so not held.
      .then(() => ctx.dialogs.get(dialog.call_id))
      .then((stored) => {
        if (stored) ctx.held.hold(stored.call_id, stored.started_at);
      })
      .catch((error) => log.error('dialog store', { call_id: call.callId, error: String(error) }));
  }

  return { start };
}
