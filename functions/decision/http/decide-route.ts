import { createHash, timingSafeEqual } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import { problemResponses, validationHook } from '../../api/problem';
import { createRouteGroup } from '../../api/route-group';
import { HttpError } from '../../store/errors';
import { decideRequest, decideResponse } from '../contract';
import { decide } from '../engine/decide';
import { NONCE_TTL_S } from '../engine/digest';
import type { RoutingDeps } from './routing-deps';
import { serializeDecision } from './serialize-decision';

const sha = (text: string) => createHash('sha256').update(text).digest();

export const decideRoute = createRoute({
  method: 'post',
  path: '/v1/routing/decide',
  tags: ['Routing'],
  summary: 'Decide what to do with an initial INVITE (relay only)',
  description:
    'Authenticated with the relay token (TANDEM_RELAY_TOKEN), not with API keys. Answers route (ordered targets), challenge (digest) or reject.',
  security: [{ relayToken: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: decideRequest } } } },
  responses: {
    200: { description: 'The decision', content: { 'application/json': { schema: decideResponse } } },
    ...problemResponses(400, 401, 503),
  },
});

/**
 * `POST /v1/routing/decide` as a route group; it checks the relay token
 * itself, so it is mounted ahead of the API-key middleware.
 *
 * @example
 * app.route('/', decideRoutes({ loader, relayToken, nonceSecret }));
 */
export function decideRoutes(deps: RoutingDeps) {
  const group = createRouteGroup();
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  group.openAPIRegistry.registerComponent('securitySchemes', 'relayToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The relay token (TANDEM_RELAY_TOKEN), only for POST /v1/routing/decide',
  });
  // Hashed once: each request hashes only the token it brings.
  const expected = deps.relayToken ? sha(deps.relayToken) : undefined;
  // Documented through the registry, served as a plain route: the hot path skips the
  // validator middleware chain (~20% of the per-request cost) and parses the body itself.
  group.openAPIRegistry.registerPath(decideRoute);
  group.post(decideRoute.path, async (c) => {
    if (!expected) {
      throw new HttpError(503, 'Service Unavailable', 'decide is disabled: TANDEM_RELAY_TOKEN is not set');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    if (!match || !timingSafeEqual(sha(match[1]!), expected)) {
      throw new HttpError(401, 'Unauthorized', 'send Authorization: Bearer <relay token>');
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new HttpError(400, 'Bad Request', 'the request body is not JSON');
    }
    const parsed = decideRequest.safeParse(body);
    if (!parsed.success) return validationHook({ success: false, target: 'json', error: parsed.error })!;
    const request = parsed.data;
    const snapshot = await deps.loader.get();
    const options = {
      now: now(),
      random,
      nonceSecret: deps.nonceSecret,
      load: deps.providerLoad?.(),
      unhealthy: deps.unhealthyProviders?.(),
    };
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
    if (response.action === 'reject' && response.auth_failed) {
      deps.onAuthFailure?.({ sourceIp: request.source.ip, callId: request.call_id });
    }
    return c.body(serializeDecision(response), 200, { 'content-type': 'application/json' });
  });
  return group;
}
