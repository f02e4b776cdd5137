import { createRoute, z } from '@hono/zod-openapi';
import { id, rate } from '../domain';
import { principalOf, requireOperator } from '../http/auth';
import { problemResponses } from '../http/problem';
import { bearerSecurity, createRouteGroup } from '../http/route-group';
import {
  badRequest,
  createRepository,
  currentDeckVersion,
  deleteDeck,
  importRateDeck,
  listRates,
  notFound,
  parseRateCsv,
  resources,
} from '../store';
import { listOf, pageQuery, type RouteDeps } from './resource-routes';

const importResult = z
  .object({ imported: z.number().int(), provider_id: id, deck_version: z.string() })
  .openapi('RateImport');

const providerQuery = { provider_id: id };

/**
 * Rate decks (operator only): `POST /v1/rates?provider_id=` replaces the
 * provider's deck from CSV; `GET /v1/rates?provider_id=&prefix=` lists it.
 */
export function rateRoutes(deps: RouteDeps) {
  const group = createRouteGroup();
  const providers = createRepository(deps.store, resources.provider, deps.now);

  group.openapi(
    createRoute({
      method: 'post',
      path: '/v1/rates',
      tags: ['Rates'],
      summary: "Import (replace) a provider's rate deck from CSV",
      description:
        'Body: `prefix,rate[,effective_date]` per line, optional header line; prefixes may omit `+`. ' +
        'Every line is checked first: any bad line answers 400 with `errors: [{line, field, message}]` and nothing is written.',
      security: bearerSecurity,
      request: {
        query: z.object(providerQuery),
        body: {
          content: { 'text/csv': { schema: z.string().openapi({ example: 'prefix,rate\n+8210,0.012\n' }) } },
        },
      },
      responses: {
        200: {
          description: 'The deck was replaced',
          content: { 'application/json': { schema: importResult } },
        },
        ...problemResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      requireOperator(c);
      const { provider_id } = c.req.valid('query');
      const { lines, errors, errorCount } = parseRateCsv(await c.req.text());
      if (errorCount > 0) {
        throw badRequest(
          `${errorCount} line(s) of the rate deck are invalid${errorCount > errors.length ? ` (first ${errors.length} listed)` : ''}; nothing was imported`,
          errors,
        );
      }
      if (lines.length === 0) {
        throw badRequest('the rate deck has no lines', [{ field: '(body)', message: 'has no rate lines' }]);
      }
      return c.json(await importRateDeck(deps.store, provider_id, lines), 200);
    },
  );

  group.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rates',
      tags: ['Rates'],
      summary: "List a provider's current rate deck",
      security: bearerSecurity,
      request: {
        query: z.object({
          ...providerQuery,
          prefix: z
            .string()
            .regex(/^[+ ]?[0-9]{0,15}$/, 'must be digits, optionally after +')
            .optional()
            .openapi({ description: 'Only prefixes that start with this' }),
          ...pageQuery,
        }),
      },
      responses: {
        200: {
          description: 'A page of rates',
          content: { 'application/json': { schema: listOf(rate, 'RateList') } },
        },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      principalOf(c);
      requireOperator(c);
      const q = c.req.valid('query');
      if (!(await providers.get(q.provider_id))) throw notFound(`provider ${q.provider_id} does not exist`);
      const digits = q.prefix?.replace(/^[+ ]/, '');
      const prefix = digits ? `+${digits}` : undefined;
      const page = await listRates(deps.store, {
        providerId: q.provider_id,
        prefix,
        pageSize: q.page_size,
        pageToken: q.page_token,
      });
      return c.json({ result: page.items, next_page_token: page.nextPageToken }, 200);
    },
  );

  return group;
}

/** When a provider is deleted its deck goes too (best effort: it is unreachable anyway). */
export function dropDeckAfterDelete(deps: RouteDeps) {
  return async (providerId: string) => {
    const deckVersion = await currentDeckVersion(deps.store, providerId);
    return deckVersion ? () => deleteDeck(deps.store, providerId, deckVersion).catch(() => {}) : undefined;
  };
}
