import { createRouteGroup } from '../http/route-group';
import { type CdrIngestDeps, cdrIngestRoutes } from './ingest-routes';
import { type CdrQueryDeps, cdrQueryRoutes } from './query-routes';

/**
 * Every CDR route as one group for the API app (`npm start` ingests too):
 * `POST /v1/cdrs` (relay token) and the reads (API keys). In AWS the API
 * gateway sends `POST /v1/cdrs` to the CDR Lambda instead (infra/cdr.ts).
 *
 * @example
 * lazyGroup('/v1/cdrs', () => cdrRoutes({ store, relayToken, retentionDays: 400 }));
 */
export function cdrRoutes(deps: CdrIngestDeps & CdrQueryDeps) {
  const group = createRouteGroup();
  group.route('/', cdrIngestRoutes(deps));
  group.route('/', cdrQueryRoutes(deps));
  return group;
}
