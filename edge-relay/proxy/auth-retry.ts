import type { StoredCredentials } from '../../contract/peer';
import { digestAuthorization, parseChallenge } from '../sip/digest';
import { headers, type SipResponse } from '../sip/message';
import { type Authorization, retryRequest } from './attempt-request';
import { type Branch, type CallEnv, type CallState, clearTimers, type Step } from './call-state';

/** The answer to a target's own 401/407 with its credentials, when they are for the challenged realm. */
function targetAuthorization(
  response: SipResponse,
  credentials: StoredCredentials,
  uri: string,
): Authorization | undefined {
  const challengeHeader = response.status === 401 ? 'www-authenticate' : 'proxy-authenticate';
  const challenges = headers(response, challengeHeader)
    .map(parseChallenge)
    .filter((c) => c !== undefined);
  const challenge = challenges.find((c) => c.realm === credentials.realm);
  if (!challenge) return undefined;
  const value = digestAuthorization(challenge, credentials, 'INVITE', uri);
  if (!value) return undefined;
  return { header: response.status === 401 ? 'Authorization' : 'Proxy-Authorization', value };
}

/**
 * A provider's 401/407 answered once with the target's credentials (HA1 only): a new branch in
 * place of the challenged one, its final timer counting from the first try.
 */
export function authRetry(
  state: CallState,
  branch: Branch,
  response: SipResponse,
  env: CallEnv,
): Step | undefined {
  const target = state.targets[branch.targetIndex];
  if (!target?.credentials || branch.authTried || (response.status !== 401 && response.status !== 407))
    return undefined;
  const authorization = targetAuthorization(response, target.credentials, branch.request.uri);
  if (!authorization) return undefined;
  const id = env.newBranch(state.loop);
  const request = retryRequest(branch.request, authorization, target, id, env.local);
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
