import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/auth';
import { healthRoutes } from '../http/health';
import { onError, validationHook } from '../http/problem';
import type { Store } from '../store/client';
import { decideRoutes } from './http/decide-route';
import { healthTargetsRoutes } from './http/health-targets-route';
import type { RoutingDeps } from './http/routing-deps';

export type DecisionAppDeps = RoutingDeps & { store: Store };

/**
 * The decision-only app (its own Lambda): `POST /v1/routing/decide`,
 * `GET /v1/routing/health-targets` and `/healthz`, nothing of the CRUD
 * API, so the bundle stays small and a decision instance never serves
 * configuration writes.
 *
 * @example
 * const app = createDecisionApp({ store, loader, relayToken, nonceSecret });
 * await app.request('/v1/routing/decide', { method: 'POST', headers: { authorization: `Bearer ${relayToken}` }, body });
 */
export function createDecisionApp(deps: DecisionAppDeps): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.route('/', healthRoutes(deps));
  app.route('/', decideRoutes(deps));
  app.route('/', healthTargetsRoutes(deps));
  return app;
}
