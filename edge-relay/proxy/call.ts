import type { DecideResponse } from '../../contract/decide';
import { isLoop, loopHash } from '../sip/branch';
import { maxForwards } from '../sip/max-forwards';
import type { SipRequest } from '../sip/message';
import type { Remote } from '../sip/remote';
import { makeResponse } from '../sip/response';
import { onAttemptRefused, onBranchResponse, onBranchTimer, startNext } from './call-attempts';
import {
  attemptOutcome,
  type CallAction,
  type CallEnv,
  type CallEvent,
  type CallState,
  clearTimers,
  failWith,
  type Step,
  terminated,
} from './call-state';
import { challengeResponse } from './challenge';
import { decideRequestFor } from './decide-request';
import { isOwnVia, vias } from './own-via';

export type { Branch, CallAction, CallEnv, CallEvent, CallState, CallTimer, Step } from './call-state';

/**
 * A new INVITE (no To tag): 483 / 482 at once, otherwise a question to the decision
 * and 100 Trying, both in the same turn, the decide first: its bytes leave before the
 * 100 wakes the caller, whose process may then take the relay's core for a while
 * (over UDP the transport holds the 100 to the turn's end anyway; over TCP/TLS it would not).
 * (While the relay drains or is overloaded, receive.ts refuses new INVITEs
 * statelessly before they get here.)
 *
 * @example
 * const { state, actions } = startCall(invite, remote, 'a1b2', env);
 * // actions: decide {...}, respond 100
 */
export function startCall(request: SipRequest, source: Remote, toTag: string, env: CallEnv): Step {
  const loop = loopHash(request);
  const state: CallState = {
    request,
    loop,
    source,
    toTag,
    phase: 'deciding',
    context: undefined,
    targets: [],
    nextTarget: 0,
    branches: [],
    candidates: [],
    ownCandidates: [],
    earlyMedia: false,
    cancelled: false,
  };
  const reject = (status: number, refused: string) =>
    failWith(state, makeResponse(request, status, { toTag }), refused);
  if (maxForwards(request) === 0) return reject(483, 'too_many_hops');
  if (isLoop(vias(request), loop, (v) => isOwnVia(env.local, v))) return reject(482, 'loop_detected');
  return {
    state,
    actions: [
      { type: 'decide', request: decideRequestFor(request, source, env) },
      { type: 'respond', response: makeResponse(request, 100) },
    ],
  };
}

/** The call's reaction to one event. Pure: time and branch ids come from `env`. */
export function callReducer(state: CallState, event: CallEvent, env: CallEnv): Step {
  switch (event.type) {
    case 'decided':
      return onDecision(state, event.decision, env);
    case 'decide-failed':
      if (state.phase !== 'deciding') return { state, actions: [] };
      return failWith(
        state,
        makeResponse(state.request, 503, {
          toTag: state.toTag,
          extra: [['Retry-After', String(env.retryAfterS)]],
        }),
        'decision_unreachable',
      );
    case 'response':
      return onBranchResponse(state, event.branch, event.response, env, event.own === true);
    case 'timer':
      if (event.timer !== 'cancel-wait') return onBranchTimer(state, event.timer, event.branch, env);
      // The cancelled branches that were ringing never answered their CANCEL.
      if (state.phase !== 'routing') return { state, actions: [] };
      return failWith(state, terminated(state));
    case 'cancel':
      return onCancel(state, env);
    case 'over-limit':
      return onOverLimit(state, event);
    case 'attempt-refused':
      return onAttemptRefused(state, event.branch, env);
  }
}

/** The caller side over a limit: 503 with Retry-After and a Reason naming the limit (RFC 3326). */
function onOverLimit(state: CallState, event: Extract<CallEvent, { type: 'over-limit' }>): Step {
  if (state.phase !== 'deciding') return { state, actions: [] };
  const response = makeResponse(state.request, 503, {
    toTag: state.toTag,
    extra: [
      ['Retry-After', String(event.retryAfterS)],
      ['Reason', `SIP;cause=503;text="${event.scope} ${event.limit} reached"`],
    ],
  });
  return failWith(state, response, `${event.scope}_over_${event.limit}`);
}

function onDecision(state: CallState, decision: DecideResponse, env: CallEnv): Step {
  if (state.phase !== 'deciding') return { state, actions: [] };
  if (state.cancelled) return failWith(state, terminated(state));
  const request = state.request;
  switch (decision.action) {
    case 'reject':
      // The decision's reason also as a Reason header (RFC 3326): the caller learns why in words.
      return failWith(
        state,
        makeResponse(request, decision.code, {
          toTag: state.toTag,
          reason: decision.reason,
          extra: [['Reason', `SIP;cause=${decision.code};text="${decision.reason.replace(/["\\]/g, '')}"`]],
        }),
        decision.reason,
      );
    case 'challenge':
      return failWith(state, challengeResponse(request, state.toTag, decision, env.digestAlgorithms));
    case 'route':
      return startNext(
        { ...state, phase: 'routing', context: decision.call, targets: decision.targets },
        env,
      );
  }
}

/**
 * The caller's CANCEL: every live branch is cancelled; the 487 goes at once unless a ringing
 * branch may still answer, then after `cancelWaitMs` at the latest.
 */
function onCancel(state: CallState, env: CallEnv): Step {
  if (state.phase === 'answered' || state.phase === 'failed' || state.cancelled)
    return { state, actions: [] };
  const cancelled = { ...state, cancelled: true, nextTarget: state.targets.length };
  if (state.phase === 'deciding') return failWith(cancelled, terminated(state));
  const actions: CallAction[] = [];
  let waiting = false;
  let branches = cancelled.branches;
  for (const b of state.branches) {
    if (b.done || b.abandoned) continue;
    actions.push(
      { type: 'cancel-branch', branch: b.id },
      ...clearTimers(b.id),
      attemptOutcome(state, b, 487, 'cancelled', env),
    );
    if (b.provisionalAt !== undefined) waiting = true;
    branches = branches.map((x) =>
      x.id === b.id ? { ...x, abandoned: 'cancelled', done: b.provisionalAt === undefined } : x,
    );
  }
  const next = { ...cancelled, branches };
  if (!waiting) {
    const done = failWith(next, terminated(state));
    return { state: done.state, actions: [...actions, ...done.actions] };
  }
  actions.push({ type: 'set-timer', timer: 'cancel-wait', branch: '', ms: env.cancelWaitMs });
  return { state: next, actions };
}
