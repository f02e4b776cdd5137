import { header, type SipResponse, withHeader } from '../sip/message';
import { makeResponse } from '../sip/response';
import { attemptRequest } from './attempt-request';
import { authRetry } from './auth-retry';
import {
  attemptOutcome,
  type Branch,
  type CallAction,
  type CallEnv,
  type CallState,
  type CallTimer,
  clearTimers,
  failWith,
  type Step,
  terminated,
  withBranch,
} from './call-state';
import { carriesEarlyMedia, failoverVerdict } from './failover';
import { chooseBest, upstreamStatus } from './response-choice';
import { upstreamResponse } from './upstream-response';

/** The attempt on the next target, or the final answer when none is left. */
export function startNext(state: CallState, env: CallEnv): Step {
  const index = state.nextTarget;
  const target = state.targets[index];
  if (!target) return finishIfDone(state, env);
  const id = env.newBranch(state.loop);
  const request = attemptRequest(state.request, state.source, target, id, env.local);
  const branch: Branch = {
    id,
    targetIndex: index,
    request,
    startedAt: env.now,
    provisionalAt: undefined,
    done: false,
    authTried: false,
    abandoned: undefined,
    cseqOffset: 0,
  };
  return {
    state: { ...state, nextTarget: index + 1, branches: [...state.branches, branch] },
    actions: [
      { type: 'send-invite', branch: id, request, target },
      { type: 'set-timer', timer: 'provisional', branch: id, ms: target.timers.provisional_ms },
      { type: 'set-timer', timer: 'final', branch: id, ms: target.timers.final_ms },
    ],
  };
}

/** A branch's response: relayed upstream, ends the call (2xx), or leads to the next target. */
export function onBranchResponse(
  state: CallState,
  id: string,
  response: SipResponse,
  env: CallEnv,
  own: boolean,
): Step {
  const branch = state.branches.find((b) => b.id === id);
  if (!branch) return { state, actions: [] };
  const upstream = upstreamResponse(response, branch.cseqOffset);
  if (response.status < 200) {
    if (response.status === 100 || branch.done) return { state, actions: [] };
    const first = branch.provisionalAt === undefined;
    const updated = first ? withBranch(state, { ...branch, provisionalAt: env.now }) : state;
    const actions: CallAction[] = first ? [{ type: 'clear-timer', timer: 'provisional', branch: id }] : [];
    // A branch we gave up on (timer, CANCEL) that starts ringing now is cancelled now (§9.1).
    if (branch.abandoned) actions.push({ type: 'cancel-branch', branch: id });
    if (branch.abandoned || state.phase !== 'routing' || state.cancelled) return { state: updated, actions };
    const early = carriesEarlyMedia(response.status, header(response, 'content-type'), response.body);
    return {
      state: early ? { ...updated, earlyMedia: true } : updated,
      actions: [...actions, { type: 'respond', response: upstream }],
    };
  }
  if (response.status < 300) {
    const actions: CallAction[] = [{ type: 'respond', response: upstream }];
    if (branch.done && state.phase === 'answered') return { state, actions }; // a retransmitted 2xx
    const done = withBranch(state, { ...branch, done: true });
    actions.push(...clearTimers(id), attemptOutcome(state, branch, response.status, 'response', env));
    for (const other of done.branches) {
      if (other.id !== id && !other.done)
        actions.push({ type: 'cancel-branch', branch: other.id }, ...clearTimers(other.id));
    }
    actions.push({ type: 'answered', branch: id, response, cseqOffset: branch.cseqOffset });
    if (state.phase !== 'answered') actions.push({ type: 'finished', status: response.status });
    return {
      state: { ...done, phase: 'answered', branches: done.branches.map((b) => ({ ...b, done: true })) },
      actions,
    };
  }
  if (branch.done) return { state, actions: [] };
  const closed = withBranch(state, { ...branch, done: true });
  if (branch.abandoned) return finishIfDone(closed, env);
  if (state.phase !== 'routing') return { state: closed, actions: [] };
  const retry = authRetry(closed, branch, response, env);
  if (retry) return retry;
  const after = {
    ...closed,
    candidates: [...closed.candidates, upstream],
    ownCandidates: own ? [...closed.ownCandidates, closed.candidates.length] : closed.ownCandidates,
  };
  const failoverCodes = state.targets[branch.targetIndex]!.failover_codes;
  return failOver(
    after,
    { status: response.status, failoverCodes },
    [...clearTimers(id), attemptOutcome(state, branch, response.status, 'response', env)],
    env,
  );
}

/**
 * A branch whose provider was over its limit before its INVITE left: no attempt happened, so the
 * next target is tried whatever the failover codes say; with none left the caller gets this
 * relay's own 503 (Retry-After) unless an attempt got a better answer.
 */
export function onAttemptRefused(state: CallState, id: string, env: CallEnv): Step {
  const branch = state.branches.find((b) => b.id === id);
  if (!branch || branch.done || branch.abandoned) return { state, actions: [] };
  const closed = withBranch(state, { ...branch, done: true });
  const after = {
    ...closed,
    candidates: [
      ...closed.candidates,
      makeResponse(state.request, 503, { toTag: state.toTag, reason: 'Provider Limit Reached' }),
    ],
    ownCandidates: [...closed.ownCandidates, closed.candidates.length],
  };
  const next = startNext(after, env);
  return { state: next.state, actions: [...clearTimers(id), ...next.actions] };
}

/** A branch without a provisional or final answer in time: cancelled, counted as a 408. */
export function onBranchTimer(
  state: CallState,
  timer: Exclude<CallTimer, 'cancel-wait'>,
  id: string,
  env: CallEnv,
): Step {
  const branch = state.branches.find((b) => b.id === id);
  if (!branch || branch.done || branch.abandoned || state.phase !== 'routing') return { state, actions: [] };
  if (timer === 'provisional' && branch.provisionalAt !== undefined) return { state, actions: [] };
  const cause = timer === 'provisional' ? 'no-provisional' : 'no-final';
  const gaveUp = withBranch(state, { ...branch, abandoned: cause });
  const after = {
    ...gaveUp,
    candidates: [...gaveUp.candidates, makeResponse(state.request, 408, { toTag: state.toTag })],
  };
  return failOver(
    after,
    { status: 408, failoverCodes: [], timeout: true },
    [
      { type: 'cancel-branch', branch: id },
      ...clearTimers(id),
      attemptOutcome(state, branch, 408, cause, env),
    ],
    env,
  );
}

/** After a failed branch (`actions` done): the next target when the failover rules allow, else the end. */
function failOver(
  state: CallState,
  failure: { status: number; failoverCodes: readonly string[]; timeout?: boolean },
  actions: CallAction[],
  env: CallEnv,
): Step {
  const verdict = failoverVerdict({
    ...failure,
    earlyMedia: state.earlyMedia,
    cancelled: state.cancelled,
    remaining: state.targets.length - state.nextTarget,
  });
  const next =
    verdict === 'next'
      ? startNext(state, env)
      : finishIfDone({ ...state, nextTarget: state.targets.length }, env);
  return { state: next.state, actions: [...actions, ...next.actions] };
}

/** Sends the final answer once no branch is pending and no target is left. */
function finishIfDone(state: CallState, env: CallEnv): Step {
  const pending = state.branches.some((b) => !b.done && (!b.abandoned || b.abandoned === 'cancelled'));
  if (pending || state.phase !== 'routing') return { state, actions: [] };
  if (state.nextTarget < state.targets.length) return { state, actions: [] };
  if (state.cancelled) return failWith(state, terminated(state));
  const best = chooseBest(state.candidates);
  const response =
    best < 0 ? makeResponse(state.request, 408, { toTag: state.toTag }) : state.candidates[best]!;
  // A 503 of our own (no media anchor, per policy) means this relay is unavailable: it stays a 503
  // and says when to retry; a downstream 503 becomes 500 (§16.7 step 6).
  if (state.ownCandidates.includes(best))
    return failWith(
      state,
      response.status === 503 ? withHeader(response, 'Retry-After', String(env.retryAfterS)) : response,
    );
  const status = upstreamStatus(response.status);
  const final =
    status === response.status ? response : { ...response, status, reason: 'Server Internal Error' };
  return failWith(state, final);
}
