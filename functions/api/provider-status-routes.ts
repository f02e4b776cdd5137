import { createRoute, z } from '@hono/zod-openapi';
import { providerStatus, providerStatusReport } from '../../contract/health';
import { id } from '../domain';
import { assertCanSee, principalOf } from '../http/auth';
import { methodNotAllowed } from '../http/method-not-allowed';
import { problemResponses } from '../http/problem';
import { relayTokenOnly } from '../http/relay-token';
import { requestGuard } from '../http/request-guard';
import { bearerSecurity, createRouteGroup } from '../http/route-group';
import { createRepository, notFound, resources, type Store } from '../store';
import { providerSiteStatuses, putProviderStatusReport } from '../store/provider-status';
import { ownerForAccess } from './access';

export const PROVIDER_STATUS_PATH = '/v1/providers/status';

export const providerStatusReportResult = z
  .object({
    stored: z.number().int().openapi({ description: 'Provider states written' }),
    outdated: z.number().int().openapi({
      description: 'States not written: the site already has a later report of the provider stored',
    }),
    unknown_provider_ids: z.array(z.string()).openapi({
      description: 'Providers of the report that do not exist (deleted since): ignored',
    }),
  })
  .openapi('ProviderStatusReportResult');

const reportRoute = createRoute({
  method: 'post',
  path: PROVIDER_STATUS_PATH,
  tags: ['Providers'],
  summary: 'Report the providers’ health as one relay site sees it (relay only)',
  description:
    'Authenticated with the relay token (TANDEM_RELAY_TOKEN), not with API keys. Stores each ' +
    'provider’s state for the report’s `site`; a later report of the same site replaces it, an ' +
    'earlier one (by `reported_at`) is ignored. Providers that do not exist are ignored. ' +
    '`reported_at` more than 300 s ahead of the server’s clock is a 400.',
  security: [{ relayToken: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: providerStatusReport } } } },
  responses: {
    200: {
      description: 'The report is stored',
      content: { 'application/json': { schema: providerStatusReportResult } },
    },
    ...problemResponses(400, 401, 503),
  },
});

const idParam = z.object({ id: id.openapi({ param: { name: 'id', in: 'path' } }) });

const statusRoute = createRoute({
  method: 'get',
  path: '/v1/providers/{id}/status',
  tags: ['Providers'],
  summary: 'A provider’s health as each relay site last reported it',
  description:
    'One entry per site that reported the provider, ordered by site name; `stale` when the ' +
    'site’s report is more than 60 s old. An empty `sites`: no site probes it (or none reported yet).',
  security: bearerSecurity,
  request: { params: idParam },
  responses: {
    200: {
      description: 'The provider’s status per site',
      content: { 'application/json': { schema: providerStatus } },
    },
    ...problemResponses(400, 401, 404),
  },
});

export type ProviderStatusDeps = { store: Store; now: () => Date };

/**
 * `POST /v1/providers/status`: the relay's reports. It checks the relay token itself and is no
 * configuration write (it must not move the decision's version token), so the API app mounts it
 * ahead of its config-write hook and API-key middleware; it guards its body itself.
 *
 * @example
 * const reports = lazyGroup(PROVIDER_STATUS_PATH, () => providerStatusReportRoutes(deps));
 * app.all(PROVIDER_STATUS_PATH, reports.serve);
 */
export function providerStatusReportRoutes(deps: ProviderStatusDeps & { relayToken: string | undefined }) {
  const group = createRouteGroup();
  group.post(
    PROVIDER_STATUS_PATH,
    relayTokenOnly(deps.relayToken, 'provider status reports'),
    requestGuard(),
  );
  group.openapi(reportRoute, async (c) => {
    const outcome = await putProviderStatusReport(deps.store, c.req.valid('json'), deps.now());
    return c.json(outcome, 200);
  });
  group.all(PROVIDER_STATUS_PATH, () => methodNotAllowed(['POST']));
  return group;
}

/**
 * `GET /v1/providers/{id}/status` (api keys): whoever may read the provider may read its status;
 * an unknown provider is a 404, as its GET.
 *
 * @example
 * resourceRoutes(deps, resources.provider).route('/', providerStatusRoutes(deps));
 */
export function providerStatusRoutes(deps: ProviderStatusDeps) {
  const group = createRouteGroup();
  const providers = createRepository(deps.store, resources.provider, deps.now);
  group.openapi(statusRoute, async (c) => {
    const { id: providerId } = c.req.valid('param');
    const what = `provider ${providerId}`;
    const doc = await providers.get(providerId);
    if (!doc) throw notFound(`${what} does not exist`);
    const owner = ownerForAccess(resources.provider, doc);
    if (owner !== undefined) assertCanSee(principalOf(c), owner, what);
    const sites = await providerSiteStatuses(deps.store, providerId, deps.now());
    return c.json({ provider_id: providerId, sites }, 200);
  });
  return group;
}
