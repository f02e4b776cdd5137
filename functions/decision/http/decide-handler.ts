import { createHash, timingSafeEqual } from 'node:crypto';
import { type DecideResponse, decideRequest } from '../../../contract/decide';
import { withDecideMetrics } from '../../metrics/decide-metrics';
import { fieldErrors, HttpError } from '../../store/errors';
import { decide } from '../engine/decide';
import { NONCE_TTL_S } from '../engine/digest';
import { checkCredit } from './credit-check';
import type { RoutingDeps } from './routing-deps';

/** An HTTP answer without a framework: the Hono route, the node server and the Lambda adapt it. */
export type DecideReply = {
  status: number;
  contentType: string;
  body: string;
  /** What the engine answered (metrics count decisions by it); absent when refused before it. */
  outcome?: { action: DecideResponse['action']; reason: string };
};

/** `POST /v1/routing/decide` as a plain function of the Authorization header and the body text. */
export type DecideHandler = (authorization: string | undefined, body: string) => Promise<DecideReply>;

const sha = (text: string) => createHash('sha256').update(text).digest();

/** RFC 9457 problem details, as the API's error handler writes them. */
function problem(error: HttpError): DecideReply {
  return {
    status: error.status,
    contentType: 'application/problem+json',
    body: JSON.stringify({
      type: 'about:blank',
      title: error.title,
      status: error.status,
      detail: error.detail,
      ...(error.errors ? { errors: error.errors } : {}),
    }),
  };
}

/**
 * The decide endpoint's whole work, framework-free so the hot path pays for
 * no router, middleware chain or Request/Response objects: relay token
 * (constant time), JSON body, the contract's zod validation of the request,
 * the engine, the nonce guard, the credit check (credit-check.ts). The answer is built by the engine from the
 * contract's types, so it is serialized as is (never re-validated).
 * Store faults are thrown (the Hono app's error handler maps them).
 *
 * @example
 * const handle = createDecideHandler({ loader, relayToken, nonceSecret });
 * const { status, body } = await handle(`Bearer ${relayToken}`, JSON.stringify(request));
 */
export function createDecideHandler(deps: RoutingDeps): DecideHandler {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  // Hashed once: each request hashes only the token it brings.
  const expected = deps.relayToken ? sha(deps.relayToken) : undefined;
  return withDecideMetrics(async (authorization, text) => {
    if (!expected) {
      return problem(
        new HttpError(503, 'Service Unavailable', 'decide is disabled: TANDEM_RELAY_TOKEN is not set'),
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match || !timingSafeEqual(sha(match[1]!), expected)) {
      return problem(new HttpError(401, 'Unauthorized', 'send Authorization: Bearer <relay token>'));
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return problem(new HttpError(400, 'Bad Request', 'the request body is not JSON'));
    }
    const parsed = decideRequest.safeParse(body);
    if (!parsed.success) {
      return problem(
        new HttpError(400, 'Bad Request', 'the request body is invalid', fieldErrors(parsed.error.issues)),
      );
    }
    const request = parsed.data;
    const snapshot = await deps.loader.get();
    // The providers the relay's site holds down come in the request (`down_providers`).
    const options = { now: now(), random, nonceSecret: deps.nonceSecret };
    const first = decide(request, snapshot, options);
    let response = first.response;
    const digest = first.explain.digest;
    if (digest && deps.nonceGuard) {
      const key = `${digest.nonce}:${digest.nc}:${digest.cnonce}`;
      if (!(await deps.nonceGuard.firstUse(key, NONCE_TTL_S))) {
        // A replayed answer: challenge again, as if none had been sent.
        response = decide({ ...request, authorization: undefined }, snapshot, options).response;
      }
    }
    // Money last: only a call the engine routes reads (and holds on) its customer's account.
    if (deps.credit)
      response = await checkCredit(response, request.call_id, snapshot, deps.credit, options.now);
    if (response.action === 'reject' && response.auth_failed) {
      deps.onAuthFailure?.({ sourceIp: request.source.ip, callId: request.call_id });
    }
    return {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify(response),
      outcome: { action: response.action, reason: outcomeReason(response) },
    };
  });
}

/** The reason a decision is counted under: a refusal's own, else its action's. */
function outcomeReason(response: DecideResponse): string {
  if (response.action === 'reject') return response.reason;
  if (response.action === 'route') return 'routed';
  return response.stale ? 'stale_nonce' : 'challenge';
}
