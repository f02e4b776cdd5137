import { createRoute, z } from '@hono/zod-openapi';
import { id, rate } from '../domain';
import { auditContextOf } from '../http/audit-context';
import { principalOf, requireOperator } from '../http/auth';
import { problemResponses } from '../http/problem';
import { bearerSecurity, createRouteGroup } from '../http/route-group';
import {
  badRequest,
  createRepository,
  currentDeckVersion,
  type DeckKind,
  type DeckOwner,
  deleteDeck,
  importRateDeck,
  listRates,
  notFound,
  parseRateCsv,
  resources,
} from '../store';
import { listOf, pageQuery, type RouteDeps } from './resource-routes';

const importResult = z
  .object({
    imported: z.number().int(),
    provider_id: id.nullable(),
    rate_plan_id: id.nullable(),
    deck_version: z.string(),
  })
  .openapi('RateImport');

const ownerQuery = {
  provider_id: id.optional().openapi({ description: "A provider's deck (what Tandem pays)" }),
  rate_plan_id: id.optional().openapi({ description: "A rate plan's deck (what Tandem charges)" }),
};

/** The deck a request names: exactly one of `provider_id` and `rate_plan_id`. */
function ownerOf(q: { provider_id?: string | undefined; rate_plan_id?: string | undefined }): DeckOwner {
  if (q.provider_id !== undefined && q.rate_plan_id !== undefined) {
    throw badRequest('name one deck: provider_id or rate_plan_id, not both', [
      { field: 'rate_plan_id', message: 'must not be given with provider_id' },
    ]);
  }
  if (q.rate_plan_id !== undefined) return { kind: 'rate_plan', id: q.rate_plan_id };
  if (q.provider_id !== undefined) return { kind: 'provider', id: q.provider_id };
  throw badRequest('name the deck: provider_id or rate_plan_id', [
    { field: 'provider_id', message: 'is required (or rate_plan_id)' },
  ]);
}

const CSV_FORMAT =
  'Body: one line per rate, `prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from`; ' +
  'the columns after `rate` may be left out or empty (0, 60, 60, 0, always). An optional header line (starting with `prefix`) ' +
  'names the columns in any order (`effective_date` reads as `effective_from`). Prefixes may omit `+`; rates and fees are ' +
  "decimals with at most 6 places, in the deck owner's currency; `effective_from` is ISO 8601 with an offset, or a date " +
  '(midnight UTC). A prefix may repeat with different `effective_from`. Every line is checked first: any bad line answers ' +
  '400 with `errors: [{line, field, message}]` and nothing is written.';

/**
 * Decks (operator only) of providers (buy) and rate plans (sell): `POST /v1/rates?provider_id=`
 * or `?rate_plan_id=` replaces the deck from CSV; `GET /v1/rates?…&prefix=` lists it.
 */
export function rateRoutes(deps: RouteDeps) {
  const group = createRouteGroup();
  const owners = {
    provider: createRepository(deps.store, resources.provider, deps.now),
    rate_plan: createRepository(deps.store, resources.rate_plan, deps.now),
  } satisfies Record<DeckKind, unknown>;

  group.openapi(
    createRoute({
      method: 'post',
      path: '/v1/rates',
      tags: ['Rates'],
      summary: "Import (replace) a provider's or a rate plan's deck from CSV",
      description: CSV_FORMAT,
      security: bearerSecurity,
      request: {
        query: z.object(ownerQuery),
        body: {
          content: {
            'text/csv': {
              schema: z.string().openapi({
                example:
                  'prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from\n+8210,0.012\n+8210,0.01,0,1,1,0,2027-01-01T00:00:00Z\n',
              }),
            },
          },
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
      const owner = ownerOf(c.req.valid('query'));
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
      const audit = auditContextOf(c, deps);
      return c.json(await importRateDeck(deps.store, owner, lines, { audit, now: deps.now }), 200);
    },
  );

  group.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rates',
      tags: ['Rates'],
      summary: "List a provider's or a rate plan's current deck",
      description:
        "In prefix order; a prefix's lines by `effective_from` (the line without one first). Exactly one of provider_id and rate_plan_id.",
      security: bearerSecurity,
      request: {
        query: z.object({
          ...ownerQuery,
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
      const owner = ownerOf(q);
      if (!(await owners[owner.kind].get(owner.id))) {
        throw notFound(`${resources[owner.kind].singular} ${owner.id} does not exist`);
      }
      const digits = q.prefix?.replace(/^[+ ]/, '');
      const prefix = digits ? `+${digits}` : undefined;
      const page = await listRates(deps.store, {
        owner,
        prefix,
        pageSize: q.page_size,
        pageToken: q.page_token,
      });
      return c.json({ result: page.items, next_page_token: page.nextPageToken }, 200);
    },
  );

  return group;
}

/** When a provider or a rate plan is deleted its deck goes too (best effort: it is unreachable anyway). */
export function dropDeckAfterDelete(deps: RouteDeps, kind: DeckKind = 'provider') {
  return async (ownerId: string) => {
    const deckVersion = await currentDeckVersion(deps.store, ownerId, kind);
    return deckVersion ? () => deleteDeck(deps.store, ownerId, deckVersion).catch(() => {}) : undefined;
  };
}
