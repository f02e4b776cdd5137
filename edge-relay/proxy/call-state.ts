import type { CallContext, DecideRequest, DecideResponse, RouteTarget } from '../../contract/decide';
import type { AttemptOutcome } from '../events';
import { header, type SipRequest, type SipResponse } from '../sip/message';
import type { Remote } from '../sip/remote';
import { makeResponse } from '../sip/response';
import type { LocalAddress } from '../sip/route';

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
  /** `refused`: the relay ended the call without any attempt (why, machine-readable, e.g. `no_route`). */
  | { type: 'finished'; status: number; refused?: string };

export type CallEvent =
  | { type: 'decided'; decision: DecideResponse }
  | { type: 'decide-failed'; reason: string }
  /** `own`: the relay could not place the attempt (media anchor down, bad target) and made this answer. */
  | { type: 'response'; branch: string; response: SipResponse; own?: boolean }
  | { type: 'timer'; timer: CallTimer; branch: string }
  | { type: 'cancel' }
  /** The caller's IPBX or customer is at a limit (admission/): 503 + Retry-After before any attempt. */
  | { type: 'over-limit'; scope: string; limit: string; retryAfterS: number }
  /** The branch's provider is at a limit: no INVITE went; the next target is tried whatever failover says. */
  | { type: 'attempt-refused'; branch: string };

export type CallEnv = {
  local: LocalAddress;
  now: number;
  newBranch: (loop: string) => string;
  relayId: string;
  /** The providers the site holds down (health checks): the decision orders them last. */
  downProviders?: readonly string[];
  retryAfterS: number;
  cancelWaitMs: number;
  /** Challenge order the operator wants; the decision's list is filtered and sorted by it. */
  digestAlgorithms?: readonly ('SHA-256' | 'MD5')[];
};

/** One turn of the call: its next state and what the runner must do. */
export type Step = { state: CallState; actions: CallAction[] };

/** The call ends with `response` to the caller; `refused` says why when no target was tried. */
export function failWith(state: CallState, response: SipResponse, refused?: string): Step {
  return {
    state: { ...state, phase: 'failed' },
    actions: [
      { type: 'respond', response },
      refused === undefined
        ? { type: 'finished', status: response.status }
        : { type: 'finished', status: response.status, refused },
    ],
  };
}

/** 487 Request Terminated: the caller's CANCEL won. */
export function terminated(state: CallState): SipResponse {
  return makeResponse(state.request, 487, { toTag: state.toTag });
}

export function withBranch(state: CallState, branch: Branch): CallState {
  return { ...state, branches: state.branches.map((b) => (b.id === branch.id ? branch : b)) };
}

export function clearTimers(branch: string): CallAction[] {
  return [
    { type: 'clear-timer', timer: 'provisional', branch },
    { type: 'clear-timer', timer: 'final', branch },
  ];
}

/** The outcome event of one branch that ended with `code`. */
export function attemptOutcome(
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
      uri: target.uri,
      code,
      cause,
      pdd_ms: branch.provisionalAt === undefined ? null : branch.provisionalAt - branch.startedAt,
      started_at: branch.startedAt,
      ended_at: env.now,
    },
  };
}
