import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/auth';
import { healthRoutes } from '../http/health';
import { onError, problemResponse, validationHook } from '../http/problem';
import { requestGuard } from '../http/request-guard';
import { notFound } from '../store/errors';
import { type CdrIngestDeps, cdrIngestRoutes } from './ingest-routes';

/**
 * The CDR ingestion app (its own Lambda): `POST /v1/cdrs` and `/healthz`,
 * nothing of the configuration API, so the bundle stays small and a burst of
 * relay batches never competes with API reads for instances.
 *
 * @example
 * const app = createCdrApp({ store, relayToken, retentionDays: 400 });
 * await app.request('/v1/cdrs', { method: 'POST', headers: { authorization: `Bearer ${relayToken}`, 'content-type': 'application/json' }, body });
 */
export function createCdrApp(deps: CdrIngestDeps): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(() => problemResponse(notFound('no such route')));
  app.route('/', healthRoutes(deps));
  app.use('/v1/*', requestGuard());
  app.route('/', cdrIngestRoutes(deps));
  return app;
}
