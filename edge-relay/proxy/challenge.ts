import type { DecideResponse } from '../../contract/decide';
import type { SipRequest, SipResponse } from '../sip/message';
import { makeResponse } from '../sip/response';

export type ChallengeDecision = Extract<DecideResponse, { action: 'challenge' }>;
export type DigestAlgorithm = ChallengeDecision['algorithms'][number];

/**
 * The 407 that asks the caller for credentials: one Proxy-Authenticate per algorithm (RFC 7616
 * §3.7), the decision's algorithms kept in the operator's order, or as decided when none is wanted.
 *
 * @example
 * challengeResponse(invite, 'a1b2', { action: 'challenge', realm: 'tandem', nonce: 'n', algorithms: ['MD5'], stale: false });
 */
export function challengeResponse(
  request: SipRequest,
  toTag: string,
  decision: ChallengeDecision,
  order: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'],
): SipResponse {
  // The IPBX's own list is offered as it stands; otherwise the operator's order applies.
  const wanted = decision.fixed ? decision.algorithms : order.filter((a) => decision.algorithms.includes(a));
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
  return makeResponse(request, 407, { toTag, extra });
}
