import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { id } from '../../domain/common';
import { auditContextOf } from '../../http/audit-context';
import {
  type ApiEnv,
  assertCanSee,
  customerScope,
  type Principal,
  principalOf,
  requireOperator,
} from '../../http/auth';
import { problemResponses } from '../../http/problem';
import { createRouteGroup } from '../../http/route-group';
import { createRepository, type Doc, notFound, resources } from '../../store';
import { providerSiteStatuses } from '../../store/provider-status';
import { authorizer } from '../access';
import { dropDeckAfterDelete } from '../rate-routes';
import type { RouteDeps } from '../resource-routes';
import { revealTo } from '../resource-routes';
import {
  END_OF_LIST,
  healthOf,
  inVoipbinTerms,
  nextPageToken,
  providerFromVoipbin,
  providerToVoipbin,
  routeFromVoipbin,
  routeOwner,
  routeToVoipbin,
  voipbinTime,
} from './mapping';
import {
  voipbinList,
  voipbinProvider,
  voipbinProviderWrite,
  voipbinRoute,
  voipbinRouteCreate,
  voipbinRouteUpdate,
} from './schemas';

/** VoIPBIN's base path; these routes answer as VoIPBIN's route manager does (docs/voipbin-compat.md). */
export const VOIPBIN_BASE = '/v1.0';

/** Either credential: the Bearer header, or `?token=` where TANDEM_API_TOKEN_IN_QUERY allows it. */
const security: Record<string, string[]>[] = [{ bearerAuth: [] }, { voipbinQueryToken: [] }];
const tags = ['VoIPBIN compatibility'];
const idParam = z.object({ id: id.openapi({ param: { name: 'id', in: 'path' } }) });
const pageQuery = {
  page_size: z.coerce.number().int().min(1).max(100).default(100).openapi({ example: 25 }),
  page_token: z.string().max(2048).optional(),
};
const json = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true as const,
});
const ok = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The group's OpenAPI registry names the query token scheme its routes declare. */
function voipbinGroup(): OpenAPIHono<ApiEnv> {
  const group = createRouteGroup();
  group.openAPIRegistry.registerComponent('securitySchemes', 'voipbinQueryToken', {
    type: 'apiKey',
    in: 'query',
    name: 'token',
    description:
      'VoIPBIN compatibility: the api key as `?token=` on /v1.0 paths, only when TANDEM_API_TOKEN_IN_QUERY=true (off by default: URLs end up in logs)',
  });
  return group;
}

/** Where a page starts: VoIPBIN clients may send an empty token for the first page. */
const startOf = (token: string | undefined) => (token === '' ? undefined : token);

/**
 * `/v1.0/routes`: VoIPBIN's route API over Tandem's routes, through the same repository and
 * access rules as `/v1/routes` (a customer key: its own customer's routes, others are 404).
 *
 * @example
 * lazyGroup('/v1.0/routes', () => voipbinRouteRoutes(routeDeps));
 */
export function voipbinRouteRoutes(deps: RouteDeps): OpenAPIHono<ApiEnv> {
  const group = voipbinGroup();
  const def = resources.route;
  const repo = createRepository(deps.store, def, deps.now);
  const base = `${VOIPBIN_BASE}/routes`;

  const load = async (principal: Principal, routeId: string): Promise<Doc> => {
    const doc = await repo.get(routeId);
    if (!doc) throw notFound(`route ${routeId} does not exist`);
    assertCanSee(principal, String(doc['customer_id']), `route ${routeId}`);
    return doc;
  };

  group.openapi(
    createRoute({
      method: 'post',
      path: base,
      tags,
      summary: 'Create a route (VoIPBIN)',
      description:
        'Absent `customer_id`: the key’s own customer (the operator key must name one); absent `target`: `all`.',
      security,
      request: { body: json(voipbinRouteCreate) },
      responses: { 200: ok(voipbinRoute, 'The new route'), ...problemResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const principal = principalOf(c);
      const body = c.req.valid('json');
      const owner = routeOwner(body.customer_id, principal);
      const doc = await repo
        .create(routeFromVoipbin(body, owner), {
          audit: auditContextOf(c, deps),
          authorize: authorizer(def, principal, deps.sourceLimits),
        })
        .catch(revealTo(principal));
      return c.json(routeToVoipbin(doc), 200);
    },
  );

  group.openapi(
    createRoute({
      method: 'get',
      path: base,
      tags,
      summary: 'List routes (VoIPBIN)',
      security,
      request: { query: z.object({ ...pageQuery, customer_id: id.optional() }) },
      responses: {
        200: ok(voipbinList(voipbinRoute, 'VoipbinRouteList'), 'A page of routes'),
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const scope = customerScope(principalOf(c));
      const start = startOf(q.page_token);
      // A customer key asking for another customer's routes sees none, as on /v1/routes.
      if (start === END_OF_LIST || (scope && q.customer_id && q.customer_id !== scope)) {
        return c.json({ result: [], next_page_token: '' }, 200);
      }
      const page = await repo.list({
        customerId: scope ?? q.customer_id,
        pageSize: q.page_size,
        pageToken: start,
      });
      return c.json(
        {
          result: page.items.map(routeToVoipbin),
          next_page_token: nextPageToken(page.items.length, page.nextPageToken),
        },
        200,
      );
    },
  );

  group.openapi(
    createRoute({
      method: 'get',
      path: `${base}/{id}`,
      tags,
      summary: 'Get a route (VoIPBIN)',
      security,
      request: { params: idParam },
      responses: { 200: ok(voipbinRoute, 'The route'), ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const { id: routeId } = c.req.valid('param');
      return c.json(routeToVoipbin(await load(principalOf(c), routeId)), 200);
    },
  );

  group.openapi(
    createRoute({
      method: 'put',
      path: `${base}/{id}`,
      tags,
      summary: 'Update a route (VoIPBIN)',
      description:
        'Replaces VoIPBIN’s fields (absent ones take the create defaults); Tandem’s own fields (`weight`, `time_windows`, `lcr`, …) are kept.',
      security,
      request: { params: idParam, body: json(voipbinRouteUpdate) },
      responses: {
        200: ok(voipbinRoute, 'The updated route'),
        ...problemResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id: routeId } = c.req.valid('param');
      const principal = principalOf(c);
      const body = c.req.valid('json');
      // Without `customer_id` the route stays with its customer: the stored fields are merged in.
      const doc = await repo
        .patch(routeId, routeFromVoipbin(body, body.customer_id), {
          audit: auditContextOf(c, deps),
          authorize: authorizer(def, principal, deps.sourceLimits),
        })
        .catch(revealTo(principal));
      return c.json(routeToVoipbin(doc), 200);
    },
  );

  group.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/{id}`,
      tags,
      summary: 'Delete a route (VoIPBIN)',
      security,
      request: { params: idParam },
      responses: {
        200: ok(voipbinRoute, 'The deleted route, `tm_delete` set to the time of deletion'),
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id: routeId } = c.req.valid('param');
      const doc = await repo.delete(routeId, {
        audit: auditContextOf(c, deps),
        authorize: authorizer(def, principalOf(c)),
      });
      return c.json({ ...routeToVoipbin(doc), tm_delete: voipbinTime(deps.now().toISOString()) }, 200);
    },
  );

  return group;
}

/**
 * `/v1.0/providers`: VoIPBIN's provider API over Tandem's providers. Every key reads them; only
 * the operator writes them (403), as on `/v1/providers`.
 *
 * @example
 * lazyGroup('/v1.0/providers', () => voipbinProviderRoutes(routeDeps));
 */
export function voipbinProviderRoutes(deps: RouteDeps): OpenAPIHono<ApiEnv> {
  const group = voipbinGroup();
  const def = resources.provider;
  const repo = createRepository(deps.store, def, deps.now);
  const base = `${VOIPBIN_BASE}/providers`;
  const dropDeck = dropDeckAfterDelete(deps);

  const view = async (doc: Doc) =>
    providerToVoipbin(doc, healthOf(await providerSiteStatuses(deps.store, doc.id, deps.now())));
  const load = async (providerId: string): Promise<Doc> => {
    const doc = await repo.get(providerId);
    if (!doc) throw notFound(`provider ${providerId} does not exist`);
    return doc;
  };
  const operatorOnly = (c: Context<ApiEnv>) => {
    requireOperator(c);
    return principalOf(c);
  };

  group.openapi(
    createRoute({
      method: 'post',
      path: base,
      tags,
      summary: 'Create a provider (VoIPBIN)',
      security,
      request: { body: json(voipbinProviderWrite) },
      responses: { 200: ok(voipbinProvider, 'The new provider'), ...problemResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const principal = operatorOnly(c);
      const doc = await repo
        .create(providerFromVoipbin(c.req.valid('json'), undefined), {
          audit: auditContextOf(c, deps),
          authorize: authorizer(def, principal, deps.sourceLimits),
        })
        .catch(inVoipbinTerms);
      return c.json(await view(doc), 200);
    },
  );

  group.openapi(
    createRoute({
      method: 'get',
      path: base,
      tags,
      summary: 'List providers (VoIPBIN)',
      security,
      request: { query: z.object(pageQuery) },
      responses: {
        200: ok(voipbinList(voipbinProvider, 'VoipbinProviderList'), 'A page of providers'),
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const start = startOf(q.page_token);
      if (start === END_OF_LIST) return c.json({ result: [], next_page_token: '' }, 200);
      const page = await repo.list({ pageSize: q.page_size, pageToken: start });
      return c.json(
        {
          result: await Promise.all(page.items.map(view)),
          next_page_token: nextPageToken(page.items.length, page.nextPageToken),
        },
        200,
      );
    },
  );

  group.openapi(
    createRoute({
      method: 'get',
      path: `${base}/{id}`,
      tags,
      summary: 'Get a provider (VoIPBIN)',
      security,
      request: { params: idParam },
      responses: { 200: ok(voipbinProvider, 'The provider'), ...problemResponses(400, 401, 404) },
    }),
    async (c) => c.json(await view(await load(c.req.valid('param').id)), 200),
  );

  group.openapi(
    createRoute({
      method: 'put',
      path: `${base}/{id}`,
      tags,
      summary: 'Update a provider (VoIPBIN)',
      description:
        'Replaces VoIPBIN’s fields (absent ones take the create defaults: no `codecs` removes the restriction); Tandem’s own fields (port, transport, credentials, sources, limits, …) are kept.',
      security,
      request: { params: idParam, body: json(voipbinProviderWrite) },
      responses: {
        200: ok(voipbinProvider, 'The updated provider'),
        ...problemResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const principal = operatorOnly(c);
      const { id: providerId } = c.req.valid('param');
      const patch = providerFromVoipbin(c.req.valid('json'), await load(providerId));
      const doc = await repo
        .patch(providerId, patch, {
          audit: auditContextOf(c, deps),
          authorize: authorizer(def, principal, deps.sourceLimits),
        })
        .catch(inVoipbinTerms);
      return c.json(await view(doc), 200);
    },
  );

  group.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/{id}`,
      tags,
      summary: 'Delete a provider (VoIPBIN)',
      description: 'A provider routes still name cannot be deleted (409); its rate deck goes with it.',
      security,
      request: { params: idParam },
      responses: {
        200: ok(voipbinProvider, 'The deleted provider, `tm_delete` set to the time of deletion'),
        ...problemResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const principal = operatorOnly(c);
      const { id: providerId } = c.req.valid('param');
      const cleanup = await dropDeck(providerId);
      const doc = await repo.delete(providerId, {
        audit: auditContextOf(c, deps),
        authorize: authorizer(def, principal),
      });
      await cleanup?.();
      const deleted = providerToVoipbin(doc);
      return c.json({ ...deleted, tm_delete: voipbinTime(deps.now().toISOString()) }, 200);
    },
  );

  return group;
}
