import { createRoute } from '@hono/zod-openapi';
import type { DecideResponse, RouteTarget } from '../../../contract/decide';
import { customerScope, principalOf } from '../../http/auth';
import { problemResponses } from '../../http/problem';
import { bearerSecurity, createRouteGroup } from '../../http/route-group';
import { notFound } from '../../store/errors';
import { lookupSource } from '../engine/cidr-table';
import type { Snapshot } from '../engine/compile-snapshot';
import { type Decision, decide, routeOutbound } from '../engine/decide';
import { toE164 } from '../engine/normalize';
import { seededRandom } from '../engine/random';
import type { RoutingDeps } from './routing-deps';
import { type SimulateRequest, type SimulateResponse, simulateRequest, simulateResponse } from './schemas';

export const simulateRoute = createRoute({
  method: 'post',
  path: '/v1/routing/simulate',
  tags: ['Routing'],
  summary: 'Which route would this call take, and why?',
  description:
    'A dry run of the decision: the ordered targets with why each is there, and every skipped candidate with its reason. Digest authentication is not simulated. Customer keys may simulate their own calls only.',
  security: bearerSecurity,
  request: { body: { required: true, content: { 'application/json': { schema: simulateRequest } } } },
  responses: {
    200: {
      description: 'The simulated decision',
      content: { 'application/json': { schema: simulateResponse } },
    },
    ...problemResponses(400, 401, 404),
  },
});

function friendlyTarget(t: RouteTarget): SimulateResponse['targets'][number] {
  const { kind, id, credentials, tls, ...rest } = t;
  return {
    ...(kind === 'provider' ? { provider_id: id } : { ipbx_id: id }),
    ...rest,
    has_credentials: credentials !== null,
    ...(tls ? { tls: { verify: tls.verify, own_ca: tls.ca !== undefined } } : {}),
  };
}

function answer(decision: Decision): SimulateResponse {
  const r: DecideResponse = decision.response;
  const { skipped, callerReplaced } = decision.explain;
  if (r.action === 'route')
    return {
      action: 'route',
      call: r.call,
      targets: r.targets.map(friendlyTarget),
      skipped,
      ...(r.limits ? { limits: r.limits } : {}),
      ...(r.max_duration_s !== undefined ? { max_duration_s: r.max_duration_s } : {}),
      ...(callerReplaced ? { caller_replaced: callerReplaced } : {}),
    };
  if (r.action === 'reject')
    return { action: 'reject', code: r.code, reason: r.reason, targets: [], skipped };
  return { action: 'challenge', reason: 'digest_required', targets: [], skipped };
}

/**
 * Runs the engine on a friendly request; undefined when the caller may not see that customer.
 * `reportedDown`: providers relay sites report down (`RoutingDeps.downProviders`), taken as held
 * down beside those the request names.
 */
export function simulate(
  body: SimulateRequest,
  snapshot: Snapshot,
  deps: Pick<RoutingDeps, 'nonceSecret'>,
  now: number,
  scope: string | undefined,
  reportedDown: readonly string[] = [],
): SimulateResponse | undefined {
  const down = [...new Set([...(body.down_providers ?? []), ...reportedDown])];
  const options = {
    now: body.at ? Date.parse(body.at) : now,
    random: seededRandom(body.seed ?? 1),
    nonceSecret: deps.nonceSecret,
    trustSource: true,
    ...(down.length > 0 ? { downProviders: new Set(down) } : {}),
  };
  if ('customer_id' in body) {
    if (scope && scope !== body.customer_id) return undefined;
    const callee = toE164(body.callee, 'callee');
    // As decide does: a caller that does not normalize goes on as written.
    const caller = toE164(body.caller, 'caller') ?? body.caller;
    if (!callee) return { action: 'reject', code: 484, reason: 'invalid_callee', targets: [], skipped: [] };
    const call = { caller, callee, privacy: false, sourceMediaAnchor: false };
    return answer(routeOutbound(body.customer_id, body.customer_id, call, snapshot, options));
  }
  if (scope) {
    const owner = lookupSource(snapshot.global.sources, body.source.ip, body.source.port);
    const ipbx = owner?.kind === 'ipbx' ? snapshot.global.ipbxs.get(owner.id) : undefined;
    if (owner?.kind === 'ipbx' && ipbx?.customer_id !== scope) return undefined;
  }
  const decision = decide(
    {
      call_id: 'simulate',
      source: body.source,
      request_uri: `sip:${body.callee}@simulate.invalid`,
      from: `<sip:${body.caller}@simulate.invalid>`,
      to: `<sip:${body.callee}@simulate.invalid>`,
    },
    snapshot,
    options,
  );
  const result = answer(decision);
  if (scope && result.call && result.call.customer_id !== scope) return undefined;
  return result;
}

/**
 * `POST /v1/routing/simulate` (API keys; mounted in the API app behind its auth middleware).
 *
 * @example
 * app.route('/', simulateRoutes({ loader, relayToken, nonceSecret }));
 */
export function simulateRoutes(deps: RoutingDeps) {
  const group = createRouteGroup();
  const now = deps.now ?? Date.now;
  group.openapi(simulateRoute, async (c) => {
    const scope = customerScope(principalOf(c));
    const at = now();
    const [snapshot, reportedDown] = await Promise.all([deps.loader.get(), deps.downProviders?.(at)]);
    const result = simulate(c.req.valid('json'), snapshot, deps, at, scope, reportedDown);
    if (!result) throw notFound('no such customer');
    return c.json(result, 200);
  });
  return group;
}
