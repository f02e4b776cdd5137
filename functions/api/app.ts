import { swaggerUI } from '@hono/swagger-ui';
import { OpenAPIHono } from '@hono/zod-openapi';
import { configWriteHook, decideRoutes, simulateRoutes } from '../decision/http';
import { createRouting, type Routing, type RoutingSettings } from '../decision/routing';
import { notFound, resources, type Store } from '../store';
import { apiKeyRoutes } from './api-key-routes';
import { type ApiEnv, authenticate } from './auth';
import { healthRoutes } from './health';
import { onError, problemResponse, validationHook } from './problem';
import { dropDeckAfterDelete, rateRoutes } from './rate-routes';
import { resourceRoutes } from './resource-routes';

export type AppDeps = {
  store: Store;
  adminKey: string;
  now?: () => Date;
  decision?: RoutingSettings;
  /** A routing already built (to share its snapshot with a node decide server); else one from `decision`. */
  routing?: Routing;
};

/**
 * Tandem's REST API as one Hono app; the Node server (npm start) and the
 * Lambda handler both wrap it.
 *
 * @example
 * const app = createApp({ store, adminKey });
 * const res = await app.request('/v1/customers', { headers: { authorization: `Bearer ${adminKey}` } });
 */
export function createApp(deps: AppDeps): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: (result) => validationHook(result) });
  const routeDeps = { store: deps.store, now: deps.now ?? (() => new Date()) };
  app.onError(onError);
  app.notFound(() => problemResponse(notFound('no such route')));

  // The routing decision (issue 3): writes bump its version token; decide checks the relay token itself.
  const routing = deps.routing ?? createRouting(deps.store, deps.decision ?? {});
  app.use('/v1/*', configWriteHook(routing.onConfigWrite));
  app.route('/', decideRoutes(routing.deps));
  app.use('/v1/*', authenticate(deps));

  // ---- Route groups: every group is mounted here (and only here). ----
  // To add one: build it with createRouteGroup() (route-group.ts), use the auth
  // helpers of auth.ts (principalOf, requireOperator, customerScope), mount it below.
  app.route('/', healthRoutes(deps));
  app.route('/', resourceRoutes(routeDeps, resources.customer));
  app.route(
    '/',
    resourceRoutes(routeDeps, resources.provider, { beforeDelete: dropDeckAfterDelete(routeDeps) }),
  );
  app.route('/', resourceRoutes(routeDeps, resources.ipbx));
  app.route('/', resourceRoutes(routeDeps, resources.did));
  app.route('/', resourceRoutes(routeDeps, resources.domain));
  app.route('/', resourceRoutes(routeDeps, resources.normalization_profile));
  app.route('/', resourceRoutes(routeDeps, resources.route));
  app.route('/', apiKeyRoutes(routeDeps));
  app.route('/', rateRoutes(routeDeps));
  app.route('/', simulateRoutes(routing.deps));
  // ---- end of route groups ----

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator (admin) key or a customer key (`tdm_…`)',
  });
  // Built once, on first request: generating it takes a few hundred ms.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get('/v1/openapi.json', (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Tandem API',
        version: '0.1.0',
        description: 'Configuration API of Tandem, an open-source Class 4 softswitch. See docs/api.md.',
      },
    });
    return c.json(document);
  });
  app.get('/docs', swaggerUI({ url: '/v1/openapi.json' }));
  return app;
}
