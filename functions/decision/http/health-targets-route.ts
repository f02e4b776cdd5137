import { createRoute } from '@hono/zod-openapi';
import { healthTargets as healthTargetsSchema } from '../../../contract/health';
import { methodNotAllowed } from '../../http/method-not-allowed';
import { problemResponses } from '../../http/problem';
import { relayTokenOnly } from '../../http/relay-token';
import { createRouteGroup } from '../../http/route-group';
import { healthTargets } from '../health-targets';
import type { RoutingDeps } from './routing-deps';

export const HEALTH_TARGETS_PATH = '/v1/routing/health-targets';

export const healthTargetsRoute = createRoute({
  method: 'get',
  path: HEALTH_TARGETS_PATH,
  tags: ['Routing'],
  summary: 'The providers a relay site probes with SIP OPTIONS (relay only)',
  description:
    'Authenticated with the relay token (TANDEM_RELAY_TOKEN), not with API keys. Every enabled ' +
    'provider with `health_check.enabled`: its OPTIONS URI (`sip:host:port;transport=…`), TLS ' +
    'checks and health-check settings. Read from the decision’s configuration snapshot, so a ' +
    'change is seen as soon as decide sees it.',
  security: [{ relayToken: [] }],
  responses: {
    200: {
      description: 'The providers to probe',
      content: { 'application/json': { schema: healthTargetsSchema } },
    },
    ...problemResponses(401, 503),
  },
});

/**
 * `GET /v1/routing/health-targets` as a route group: it checks the relay token itself, so it is
 * mounted ahead of the API-key middleware, wherever decide is (the decision app, the API app).
 * Each call reads the decision's snapshot (cheap: no store read unless a version check is due).
 *
 * @example
 * app.route('/', healthTargetsRoutes(routing.deps));
 */
export function healthTargetsRoutes(deps: Pick<RoutingDeps, 'loader' | 'relayToken'>) {
  const group = createRouteGroup();
  group.get(HEALTH_TARGETS_PATH, relayTokenOnly(deps.relayToken, 'health targets'));
  group.openapi(healthTargetsRoute, async (c) => {
    const snapshot = await deps.loader.get();
    return c.json(healthTargets(snapshot.global.providers.values()), 200);
  });
  group.all(HEALTH_TARGETS_PATH, () => methodNotAllowed(['GET']));
  return group;
}
