import type { CallContext, DecideRequest, DecideResponse, RouteTarget } from '../../contract/decide';
import type { Transport } from '../../contract/peer';
import type { AttemptOutcome } from '../events';
import { isLoop, loopHash } from '../sip/branch';
import { digestAuthorization, parseChallenge } from '../sip/digest';
import { decrementMaxForwards, maxForwards } from '../sip/max-forwards';
import {
  cseq,
  header,
  headers,
  type SipRequest,
  type SipResponse,
  withHeader,
  withoutHeader,
  withoutHeaders,
} from '../sip/message';
import { makeResponse } from '../sip/response';
import { type LocalAddress, recordRoute, withRecordRoute } from '../sip/route';
import { carriesEarlyMedia, failoverVerdict } from './failover';
import { isOwnVia, popVia, vias, withOwnVia } from './own-via';
import { chooseBest, upstreamStatus } from './response-choice';

export type Remote = { transport: Transport; address: string; port: number };
export type CallTimer = 'provisional' | 'final' | 'cancel-wait';

export type Branch = {
  id: string;
  targetIndex: number;
  request: SipRequest;
  startedAt: number;
  provisionalAt: number | undefined;
  done: boolean;
  authTried: boolean;
  abandoned: 'no-provisional' | 'no-final' | 'cancelled' | undefined;
  cseqOffset: number;
};

export type CallState = {
  request: SipRequest;
  /** The request's loop hash (§16.6 step 8), computed once: every branch id carries it. */
  loop: string;
  source: Remote;
  toTag: string;
  phase: 'deciding' | 'routing' | 'answered' | 'failed';
  context: CallContext | undefined;
  targets: readonly RouteTarget[];
  nextTarget: number;
  branches: readonly Branch[];
  candidates: readonly SipResponse[];
  /** Indexes of `candidates` the relay made itself (it could not place the attempt). */
  ownCandidates: readonly number[];
  earlyMedia: boolean;
  cancelled: boolean;
};

export type CallAction =
  | { type: 'respond'; response: SipResponse }
  | { type: 'decide'; request: DecideRequest }
  | { type: 'send-invite'; branch: string; request: SipRequest; target: RouteTarget }
  | { type: 'cancel-branch'; branch: string }
  | { type: 'set-timer'; timer: CallTimer; branch: string; ms: number }
  | { type: 'clear-timer'; timer: CallTimer; branch: string }
  | { type: 'attempt'; branch: string; outcome: AttemptOutcome }
  | { type: 'answered'; branch: string; response: SipResponse; cseqOffset: number }
  | { type: 'finished'; status: number };

export type CallEvent =
  | { type: 'decided'; decision: DecideResponse }
  | { type: 'decide-failed'; reason: string }
  /** `own`: the relay could not place the attempt (media anchor down, bad target) and made this answer. */
  | { type: 'response'; branch: string; response: SipResponse; own?: boolean }
  | { type: 'timer'; timer: CallTimer; branch: string }
  | { type: 'cancel' };

export type CallEnv = {
  local: LocalAddress;
  now: number;
  newBranch: (loop: string) => string;
  relayId: string;
  retryAfterS: number;
  cancelWaitMs: number;
  /** Challenge order the operator wants; the decision's list is filtered and sorted by it. */
  digestAlgorithms?: readonly ('SHA-256' | 'MD5')[];
};

type Step = { state: CallState; actions: CallAction[] };

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
  const reject = (status: number, extra?: [string, string][]) =>
    failWith(state, makeResponse(request, status, { toTag, ...(extra ? { extra } : {}) }));
  if (maxForwards(request) === 0) return reject(483);
  if (isLoop(vias(request), loop, (v) => isOwnVia(env.local, v))) return reject(482);
  return {
    state,
    actions: [
      { type: 'decide', request: decideRequestFor(request, source, env) },
      { type: 'respond', response: makeResponse(request, 100) },
    ],
  };
}

export function decideRequestFor(request: SipRequest, source: Remote, env: CallEnv): DecideRequest {
  const pai = header(request, 'p-asserted-identity');
  const auth = header(request, 'proxy-authorization') ?? header(request, 'authorization');
  const privacy = header(request, 'privacy');
  return {
    call_id: header(request, 'call-id') ?? '',
    source: { ip: source.address, port: source.port, transport: source.transport },
    request_uri: request.uri,
    from: header(request, 'from') ?? '',
    to: header(request, 'to') ?? '',
    ...(pai ? { p_asserted_identity: pai } : {}),
    ...(auth ? { authorization: auth } : {}),
    ...(privacy ? { privacy } : {}),
    method: request.method,
    relay_id: env.relayId,
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
      );
    case 'response':
      return onResponse(state, event.branch, event.response, env, event.own === true);
    case 'timer':
      return onTimer(state, event.timer, event.branch, env);
    case 'cancel':
      return onCancel(state, env);
  }
}

function onDecision(state: CallState, decision: DecideResponse, env: CallEnv): Step {
  if (state.phase !== 'deciding') return { state, actions: [] };
  if (state.cancelled) return failWith(state, terminated(state));
  const request = state.request;
  switch (decision.action) {
    case 'reject':
      return failWith(
        state,
        makeResponse(request, decision.code, { toTag: state.toTag, reason: decision.reason }),
      );
    case 'challenge': {
      const order = env.digestAlgorithms ?? ['SHA-256', 'MD5'];
      const wanted = order.filter((a) => decision.algorithms.includes(a));
      const algorithms = wanted.length > 0 ? wanted : decision.algorithms;
      const extra = algorithms.map((algorithm): [string, string] => [
        'Proxy-Authenticate',
        [
          `Digest realm="${decision.realm}"`,
          `nonce="${decision.nonce}"`,
          `algorithm=${algorithm}`,
          'qop="auth"',
          ...(decision.opaque ? [`opaque="${decision.opaque}"`] : []),
          ...(decision.stale ? ['stale=true'] : []),
        ].join(', '),
      ]);
      return failWith(state, makeResponse(request, 407, { toTag: state.toTag, extra }));
    }
    case 'route':
      return startNext(
        { ...state, phase: 'routing', context: decision.call, targets: decision.targets },
        env,
      );
  }
}

/** The caller's Route set, credentials and identity claims stop here; the target's headers replace them. */
const NOT_FORWARDED: ReadonlySet<string> = new Set([
  'route',
  'proxy-authorization',
  'p-asserted-identity',
  'p-preferred-identity',
  'remote-party-id',
]);

/** The INVITE for one target (RFC 3261 §16.6). */
export function attemptRequest(
  received: SipRequest,
  source: Remote,
  target: RouteTarget,
  branch: string,
  local: LocalAddress,
): SipRequest {
  let out: SipRequest = withoutHeaders({ ...received, uri: target.uri }, NOT_FORWARDED);
  for (const [name, value] of Object.entries(target.headers)) out = withHeader(out, name, value);
  out = decrementMaxForwards(out);
  out = withRecordRoute(out, recordRoute(local, source.transport, target.transport));
  return withOwnVia(out, local, target.transport, branch);
}

function startNext(state: CallState, env: CallEnv): Step {
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

function onResponse(state: CallState, id: string, response: SipResponse, env: CallEnv, own: boolean): Step {
  const branch = state.branches.find((b) => b.id === id);
  if (!branch) return { state, actions: [] };
  const upstream = toUpstream(response, branch);
  if (response.status < 200) {
    if (response.status === 100 || branch.done) return { state, actions: [] };
    const first = branch.provisionalAt === undefined;
    const updated = first ? replace(state, { ...branch, provisionalAt: env.now }) : state;
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
    const done = replace(state, { ...branch, done: true });
    actions.push(...clearTimers(id), outcome(state, branch, response.status, 'response', env));
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
  const closed = replace(state, { ...branch, done: true });
  if (branch.abandoned) return finishIfDone(closed, env);
  if (state.phase !== 'routing') return { state: closed, actions: [] };
  const retry = authRetry(closed, branch, response, env);
  if (retry) return retry;
  const target = state.targets[branch.targetIndex]!;
  const after = {
    ...closed,
    candidates: [...closed.candidates, upstream],
    ownCandidates: own ? [...closed.ownCandidates, closed.candidates.length] : closed.ownCandidates,
  };
  const actions: CallAction[] = [
    ...clearTimers(id),
    outcome(state, branch, response.status, 'response', env),
  ];
  const verdict = failoverVerdict({
    status: response.status,
    failoverCodes: target.failover_codes,
    earlyMedia: state.earlyMedia,
    cancelled: state.cancelled,
    remaining: state.targets.length - state.nextTarget,
  });
  const next =
    verdict === 'next'
      ? startNext(after, env)
      : finishIfDone({ ...after, nextTarget: after.targets.length }, env);
  return { state: next.state, actions: [...actions, ...next.actions] };
}

/** A provider's 401/407 answered once with the target's credentials (HA1 only). */
function authRetry(state: CallState, branch: Branch, response: SipResponse, env: CallEnv): Step | undefined {
  const target = state.targets[branch.targetIndex];
  if (!target?.credentials || branch.authTried || (response.status !== 401 && response.status !== 407))
    return undefined;
  const challengeHeader = response.status === 401 ? 'www-authenticate' : 'proxy-authenticate';
  const challenges = headers(response, challengeHeader)
    .map(parseChallenge)
    .filter((c) => c !== undefined);
  const challenge = challenges.find((c) => c.realm === target.credentials!.realm);
  if (!challenge) return undefined;
  const authorization = digestAuthorization(challenge, target.credentials, 'INVITE', branch.request.uri);
  if (!authorization) return undefined;
  const id = env.newBranch(state.loop);
  const { seq } = cseq(branch.request);
  let request = withoutHeader(popVia(branch.request), 'authorization');
  request = withoutHeader(request, 'proxy-authorization');
  request = withHeader(
    request,
    response.status === 401 ? 'Authorization' : 'Proxy-Authorization',
    authorization,
  );
  request = withHeader(request, 'CSeq', `${seq + 1} INVITE`);
  request = withOwnVia(request, env.local, target.transport, id);
  const retried: Branch = {
    ...branch,
    id,
    request,
    done: false,
    authTried: true,
    cseqOffset: branch.cseqOffset + 1,
  };
  return {
    state: { ...state, branches: [...state.branches, retried] },
    actions: [
      ...clearTimers(branch.id),
      { type: 'send-invite', branch: id, request, target },
      { type: 'set-timer', timer: 'provisional', branch: id, ms: target.timers.provisional_ms },
      {
        type: 'set-timer',
        timer: 'final',
        branch: id,
        ms: Math.max(1, target.timers.final_ms - (env.now - branch.startedAt)),
      },
    ],
  };
}

function onTimer(state: CallState, timer: CallTimer, id: string, env: CallEnv): Step {
  if (timer === 'cancel-wait') {
    if (state.phase !== 'routing') return { state, actions: [] };
    return failWith(state, terminated(state));
  }
  const branch = state.branches.find((b) => b.id === id);
  if (!branch || branch.done || branch.abandoned || state.phase !== 'routing') return { state, actions: [] };
  if (timer === 'provisional' && branch.provisionalAt !== undefined) return { state, actions: [] };
  const cause = timer === 'provisional' ? 'no-provisional' : 'no-final';
  const gaveUp = replace(state, { ...branch, abandoned: cause });
  const after = {
    ...gaveUp,
    candidates: [...gaveUp.candidates, makeResponse(state.request, 408, { toTag: state.toTag })],
  };
  const actions: CallAction[] = [
    { type: 'cancel-branch', branch: id },
    ...clearTimers(id),
    outcome(state, branch, 408, cause, env),
  ];
  const verdict = failoverVerdict({
    status: 408,
    failoverCodes: [],
    earlyMedia: state.earlyMedia,
    cancelled: state.cancelled,
    remaining: state.targets.length - state.nextTarget,
    timeout: true,
  });
  const next =
    verdict === 'next'
      ? startNext(after, env)
      : finishIfDone({ ...after, nextTarget: after.targets.length }, env);
  return { state: next.state, actions: [...actions, ...next.actions] };
}

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
      outcome(state, b, 487, 'cancelled', env),
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

function failWith(state: CallState, response: SipResponse): Step {
  return {
    state: { ...state, phase: 'failed' },
    actions: [
      { type: 'respond', response },
      { type: 'finished', status: response.status },
    ],
  };
}

function terminated(state: CallState): SipResponse {
  return makeResponse(state.request, 487, { toTag: state.toTag });
}

/** A branch's response as the caller must see it: our Via off, CSeq back to the caller's number. */
function toUpstream(response: SipResponse, branch: Branch): SipResponse {
  const popped = popVia(response);
  if (branch.cseqOffset === 0) return popped;
  const { seq, method } = cseq(popped);
  return withHeader(popped, 'CSeq', `${seq - branch.cseqOffset} ${method}`);
}

function replace(state: CallState, branch: Branch): CallState {
  return { ...state, branches: state.branches.map((b) => (b.id === branch.id ? branch : b)) };
}

function clearTimers(branch: string): CallAction[] {
  return [
    { type: 'clear-timer', timer: 'provisional', branch },
    { type: 'clear-timer', timer: 'final', branch },
  ];
}

function outcome(
  state: CallState,
  branch: Branch,
  code: number,
  cause: AttemptOutcome['cause'],
  env: CallEnv,
): CallAction {
  const target = state.targets[branch.targetIndex]!;
  return {
    type: 'attempt',
    branch: branch.id,
    outcome: {
      call_id: header(state.request, 'call-id') ?? '',
      target_kind: target.kind,
      target_id: target.id,
      route_id: target.route_id,
      code,
      cause,
      pdd_ms: branch.provisionalAt === undefined ? null : branch.provisionalAt - branch.startedAt,
      started_at: branch.startedAt,
      ended_at: env.now,
    },
  };
}
