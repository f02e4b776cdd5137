import { OpenAPIHono } from '@hono/zod-openapi';
import { createSpendAlerts } from '../alerts/spend-alerts';
import { ratingSourceOf } from '../cdr/rating-source';
import { cdrRoutes } from '../cdr/routes';
import { configWriteHook, decideRoutes, simulateRoutes } from '../decision/http';
import { HEALTH_TARGETS_PATH, healthTargetsRoutes } from '../decision/http/health-targets-route';
import { createRouting, type Routing, type RoutingSettings } from '../decision/routing';
import { type ApiEnv, authenticate } from '../http/auth';
import { healthRoutes } from '../http/health';
import { type LogEntry, logLine } from '../http/log';
import { onError, problemResponse, validationHook } from '../http/problem';
import { requestGuard } from '../http/request-guard';
import { requestMetrics } from '../metrics/http-metrics';
import { type AlertWebhookSettings, DEFAULT_CDR_RETENTION_DAYS } from '../settings/settings';
import { statsRoutes } from '../stats/stats-routes';
import { notFound, type ResourceDef, resources, type Store } from '../store';
import { reportedDownProviders } from '../store/provider-status';
import { apiKeyRoutes } from './api-key-routes';
import { auditRoutes } from './audit-routes';
import { balanceRoutes } from './balance-routes';
import { consoleRoutes } from './console-routes';
import { docsRoutes } from './docs-routes';
import { lazyGroup } from './lazy-group';
import {
  PROVIDER_STATUS_PATH,
  providerStatusReportRoutes,
  providerStatusRoutes,
} from './provider-status-routes';
import { dropDeckAfterDelete, rateRoutes } from './rate-routes';
import { type ResourceRouteOptions, resourceRoutes } from './resource-routes';
import { sourceConflictRoutes } from './source-conflict-routes';
import type { SourceLimits } from './source-policy';
import { VOIPBIN_BASE, voipbinProviderRoutes, voipbinRouteRoutes } from './voipbin/routes';
import { whoamiRoutes } from './whoami-routes';

export type AppDeps = {
  store: Store;
  adminKey: string;
  now?: () => Date;
  /** Widest sources a customer key may write (settings.sourceLimits); unset: the defaults. */
  sourceLimits?: SourceLimits;
  decision?: RoutingSettings;
  /** A routing already built (to share its snapshot with a node decide server); else one from `decision`. */
  routing?: Routing;
  /** TANDEM_CDR_RETENTION_DAYS of records ingested here (npm start); default 400. */
  cdrRetentionDays?: number;
  /** TANDEM_AUDIT_RETENTION_DAYS: how long a write's audit event is kept (docs/audit.md); default 400. */
  auditRetentionDays?: number;
  /** Largest CDR export answered (the API Lambda buffers its answers: 6 MB); unset: streamed, unbounded. */
  cdrExportMaxBytes?: number;
  /** Where a stored CDR batch is logged; one JSON line (functions/http/log.ts) by default. */
  cdrLog?: (entry: Record<string, unknown>) => void;
  /** Where alerts (a daily spend limit reached) are POSTed; unset: written and logged only. */
  alertWebhook?: AlertWebhookSettings | undefined;
  /** TANDEM_API_TOKEN_IN_QUERY: VoIPBIN's `?token=<key>` on /v1.0 paths (docs/voipbin-compat.md); default off. */
  apiTokenInQuery?: boolean;
  /** How long one `POST /v1/cdrs/rerate` reads before it reports where to go on; 20 s by default. */
  rerateBudgetMs?: number;
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
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  // First: every answer is counted by route template and status, error answers included.
  app.use('*', requestMetrics());
  const routeDeps = {
    store: deps.store,
    now: deps.now ?? (() => new Date()),
    ...(deps.sourceLimits ? { sourceLimits: deps.sourceLimits } : {}),
    auditRetentionDays: deps.auditRetentionDays,
  };
  app.onError(onError);
  app.notFound(() => problemResponse(notFound('no such route')));

  // The routing decision: writes bump its version token; decide checks the relay token itself.
  const routing = deps.routing ?? createRouting(deps.store, deps.decision ?? {});
  // The relay's other routes take its token too; they come before the config-write hook, since a
  // provider status report (every 10 s per site) is no config write and must not rebuild snapshots.
  const relayGroups = [
    lazyGroup(HEALTH_TARGETS_PATH, () => healthTargetsRoutes(routing.deps)),
    lazyGroup(PROVIDER_STATUS_PATH, () =>
      providerStatusReportRoutes({ ...routeDeps, relayToken: routing.deps.relayToken }),
    ),
  ];
  for (const { prefix, serve } of relayGroups) app.all(prefix, serve);
  app.use('/v1/*', configWriteHook(routing.onConfigWrite));
  const decide = decideRoutes(routing.deps);
  app.route('/', decide);
  app.use('/v1/*', requestGuard());
  app.use('/v1/*', authenticate(deps));
  // VoIPBIN's paths (docs/voipbin-compat.md): the same write hook, guard and keys, and `?token=` when enabled.
  app.use(`${VOIPBIN_BASE}/*`, configWriteHook(routing.onConfigWrite));
  app.use(`${VOIPBIN_BASE}/*`, requestGuard());
  app.use(`${VOIPBIN_BASE}/*`, authenticate({ ...deps, tokenInQuery: deps.apiTokenInQuery }));

  // ---- Route groups: every group is mounted here (and only here). ----
  // To add one: build it with createRouteGroup() (route-group.ts), use the auth
  // helpers of auth.ts (principalOf, requireOperator, customerScope), list it below.
  const health = healthRoutes(deps);
  app.route('/', health);
  // Built on their first request (lazy-group.ts): a cold start builds none of them.
  const resource = (def: ResourceDef, options?: ResourceRouteOptions) =>
    lazyGroup(`/v1/${def.path}`, () => resourceRoutes(routeDeps, def, options));
  const groups = [
    // `GET/POST /v1/customers/{id}/balance` beside the CRUD routes: the same prefix, the same readers.
    lazyGroup(`/v1/${resources.customer.path}`, () =>
      resourceRoutes(routeDeps, resources.customer).route('/', balanceRoutes(routeDeps)),
    ),
    // `GET /v1/providers/{id}/status` beside the CRUD routes: the same prefix, the same readers.
    lazyGroup(`/v1/${resources.provider.path}`, () =>
      resourceRoutes(routeDeps, resources.provider, { beforeDelete: dropDeckAfterDelete(routeDeps) }).route(
        '/',
        providerStatusRoutes(routeDeps),
      ),
    ),
    resource(resources.ipbx),
    resource(resources.did),
    resource(resources.domain),
    resource(resources.normalization_profile),
    resource(resources.route),
    // A rate plan's deck goes with it, as a provider's does.
    resource(resources.rate_plan, { beforeDelete: dropDeckAfterDelete(routeDeps, 'rate_plan') }),
    lazyGroup(`/v1/${resources.api_key.path}`, () => apiKeyRoutes(routeDeps)),
    lazyGroup('/v1/rates', () => rateRoutes(routeDeps)),
    lazyGroup('/v1/source-conflicts', () => sourceConflictRoutes(routeDeps)),
    // Every write above records an event in its own transaction (docs/audit.md).
    lazyGroup('/v1/audit-events', () => auditRoutes(routeDeps)),
    lazyGroup('/v1/whoami', () => whoamiRoutes()),
    // Calls, rejects and provider ASR of at most one hour, from the stored CDRs (docs/console.md).
    lazyGroup('/v1/stats', () => statsRoutes(routeDeps)),
    // VoIPBIN's route API over the same repository and access rules (docs/voipbin-compat.md).
    lazyGroup(`${VOIPBIN_BASE}/routes`, () => voipbinRouteRoutes(routeDeps)),
    lazyGroup(`${VOIPBIN_BASE}/providers`, () => voipbinProviderRoutes(routeDeps)),
    // Simulate orders last what relay sites report down (`POST /v1/providers/status`).
    lazyGroup('/v1/routing/simulate', () =>
      simulateRoutes({
        ...routing.deps,
        downProviders: (now) => reportedDownProviders(deps.store, new Date(now)),
      }),
    ),
    // POST with the relay token (auth.ts lets it past), GET with api keys.
    lazyGroup('/v1/cdrs', () =>
      cdrRoutes({
        store: deps.store,
        relayToken: routing.deps.relayToken,
        retentionDays: deps.cdrRetentionDays ?? DEFAULT_CDR_RETENTION_DAYS,
        exportMaxBytes: deps.cdrExportMaxBytes,
        ...(deps.cdrLog ? { log: deps.cdrLog } : {}),
        // Rated with the decision's own snapshot: the decks LCR and the credit check use.
        rating: ratingSourceOf(routing.deps.loader),
        alerts: createSpendAlerts({
          store: deps.store,
          webhook: deps.alertWebhook,
          log: (deps.cdrLog as ((entry: LogEntry) => void) | undefined) ?? logLine,
        }),
        rerateBudgetMs: deps.rerateBudgetMs,
      }),
    ),
  ];
  for (const { prefix, serve } of groups) app.all(`${prefix}/*`, serve);
  // ---- end of route groups ----

  // Built once, on first request, from every group: generating it takes a few hundred ms.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get('/v1/openapi.json', (c) => {
    document ??= openApiDocument([decide, health, ...[...relayGroups, ...groups].map((g) => g.group())]);
    return c.json(document);
  });
  app.route('/', docsRoutes());
  app.route('/', consoleRoutes());
  return app;
}

/** The OpenAPI 3.1 document of the given route groups. */
function openApiDocument(groups: OpenAPIHono<ApiEnv>[]) {
  const docs = new OpenAPIHono<ApiEnv>();
  for (const group of groups) docs.route('/', group);
  docs.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator (admin) key or a customer key (`tdm_…`)',
  });
  return docs.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Tandem API',
      version: '0.1.0',
      description: 'Configuration API of Tandem, an open-source Class 4 softswitch. See docs/api.md.',
    },
  });
}
