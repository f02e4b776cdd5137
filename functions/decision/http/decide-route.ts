import { createRoute } from '@hono/zod-openapi';
import { decideRequest, decideResponse } from '../../../contract/decide';
import { methodNotAllowed } from '../../http/method-not-allowed';
import { problemResponses } from '../../http/problem';
import { createRouteGroup } from '../../http/route-group';
import { createDecideHandler, type DecideHandler } from './decide-handler';
import type { RoutingDeps } from './routing-deps';

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
export function decideRoutes(deps: RoutingDeps, handle: DecideHandler = createDecideHandler(deps)) {
  const group = createRouteGroup();
  group.openAPIRegistry.registerComponent('securitySchemes', 'relayToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The relay token (TANDEM_RELAY_TOKEN), only for POST /v1/routing/decide',
  });
  // Documented through the registry, served as a plain route: the hot path skips the
  // validator middleware chain and validates the body itself (decide-handler.ts).
  group.openAPIRegistry.registerPath(decideRoute);
  group.post(decideRoute.path, async (c) => {
    const reply = await handle(c.req.header('authorization'), await c.req.text());
    return c.body(reply.body, reply.status as 200, { 'content-type': reply.contentType });
  });
  group.all(decideRoute.path, () => methodNotAllowed(['POST']));
  return group;
}
