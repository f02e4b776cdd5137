import { createRoute, z } from '@hono/zod-openapi';
import { id } from '../../contract/peer';
import { assertCanSee, customerScope, principalOf, requireOperator } from '../http/auth';
import { problemResponses } from '../http/problem';
import { bearerSecurity, createRouteGroup } from '../http/route-group';
import { type CdrFilter, type CdrScan, type ScannedCdr, scanCdrs } from '../store/cdr-scan';
import { CDR_SHARDS, getCdr } from '../store/cdrs';
import type { Store } from '../store/client';
import { badRequest, HttpError, notFound } from '../store/errors';
import { cdrCsvHeader, cdrCsvLine } from './csv';
import { type CdrAudience, cdrView, ratedCdr } from './rated-cdr';
import type { RatingSource } from './rating-source';
import { rerateCdrs } from './rerate';
import { rerateReport } from './rerate-report';
import { MAX_RANGE_DAYS, type TimeRange, timeRange } from './time-range';

export type CdrQueryDeps = {
  store: Store;
  /**
   * Largest export answered as one buffered body (the API Lambda: a response is at most 6 MB);
   * a larger one is refused with 400 before anything is sent. Unset: the export streams, unbounded.
   */
  exportMaxBytes?: number | undefined;
  /** The decks a re-rating uses (cdr/rating-source.ts). */
  rating: RatingSource;
  /** How long one re-rating request reads before it reports where to go on (rerate.ts). */
  rerateBudgetMs?: number | undefined;
};

const time = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .optional()
  .openapi({ example: '2026-12-01T00:00:00Z', description: 'ISO 8601 time, or a date (00:00 UTC)' });

const range = {
  from: time.openapi({
    description: `Start, included (required; at most ${MAX_RANGE_DAYS} days before \`to\`)`,
  }),
  to: time.openapi({ description: 'End, excluded (required)' }),
  customer_id: id.optional(),
};

const listQuery = z.object({
  ...range,
  caller: z.string().max(256).optional(),
  callee: z.string().max(256).optional(),
  provider_id: id.optional().openapi({
    description: 'Calls with an attempt to this provider (operator only: 403 for a customer key)',
  }),
  final_code: z.coerce.number().int().min(100).max(699).optional(),
  page_size: z.coerce.number().int().min(1).max(100).default(100).openapi({ example: 100 }),
  page_token: z.string().max(512).optional(),
});

const cdrList = z
  .object({
    result: z.array(ratedCdr),
    next_page_token: z.string().openapi({ description: 'Empty when this is the last page' }),
  })
  .openapi('CdrList');

/** Rows read per DynamoDB query of one partition while exporting. */
const EXPORT_PAGE = 200;

function encodeToken(order: string): string {
  return Buffer.from(JSON.stringify({ before: order })).toString('base64url');
}

const ORDER = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9a-fA-F-]{36}$/;

function decodeToken(token: string): string {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { before?: unknown };
    if (typeof value.before === 'string' && ORDER.test(value.before)) return value.before;
  } catch {}
  throw badRequest('page_token is invalid', [{ field: 'page_token', message: 'is invalid' }]);
}

type Scope = { customerId?: string | undefined } | 'nothing';

const audienceOf = (principalCustomer: string | undefined): CdrAudience =>
  principalCustomer ? 'customer' : 'operator';

/**
 * Which provider carried a call is the operator's to ask: a customer key filtering by provider is
 * refused (403 naming the field), as its records show no cost nor the provider that rated it.
 */
function operatorFilter(principalCustomer: string | undefined, field: string, value: string | undefined) {
  if (principalCustomer && value !== undefined) {
    throw new HttpError(403, 'Forbidden', `only the operator may filter CDRs by \`${field}\``, [
      { field, message: 'is for the operator only' },
    ]);
  }
}

/**
 * Whose CDRs a caller reads: a customer key its own customer's only (another
 * customer_id reads nothing, as lists of resources do); the operator one
 * customer's (customer_id) or everyone's.
 */
function scopeOf(principalCustomer: string | undefined, requested: string | undefined): Scope {
  if (principalCustomer && requested && requested !== principalCustomer) return 'nothing';
  const customerId = principalCustomer ?? requested;
  return customerId ? { customerId } : {};
}

/**
 * `GET /v1/cdrs` (list, newest first), `GET /v1/cdrs/export` (CSV, streamed)
 * and `GET /v1/cdrs/{id}`; customer keys see their own customer's CDRs.
 *
 * @example
 * app.route('/', cdrQueryRoutes({ store }));
 */
export function cdrQueryRoutes(deps: CdrQueryDeps) {
  const group = createRouteGroup();

  group.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cdrs',
      tags: ['CDRs'],
      summary: 'List CDRs of a time range, newest first',
      description:
        `\`from\` and \`to\` are required and at most ${MAX_RANGE_DAYS} days apart. Filters match exactly; ` +
        '`provider_id` matches any attempt to that provider (operator only). A customer key reads its ' +
        "customer's records with the price but without the buy side: `rating.provider_id`, `rating.cost` " +
        'and `rating.cost_unrated_reason` are null.',
      security: bearerSecurity,
      request: { query: listQuery },
      responses: {
        200: { description: 'A page of CDRs', content: { 'application/json': { schema: cdrList } } },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const principalCustomer = customerScope(principalOf(c));
      operatorFilter(principalCustomer, 'provider_id', q.provider_id);
      const window = timeRange(q);
      const scope = scopeOf(principalCustomer, q.customer_id);
      const before = q.page_token ? decodeToken(q.page_token) : undefined;
      if (scope === 'nothing') return c.json({ result: [], next_page_token: '' }, 200);
      const filter: CdrFilter = {
        caller: q.caller?.replace(/^ (?=[0-9])/, '+'),
        callee: q.callee?.replace(/^ (?=[0-9])/, '+'),
        provider_id: q.provider_id,
        final_code: q.final_code,
      };
      const scan: CdrScan = { ...window, ...scope, before, filter };
      // One more than asked tells whether a next page exists; the scan stops reading there.
      // The operator's page comes from CDR_SHARDS partitions, about an equal share each: read twice that.
      const limit = scope.customerId ? q.page_size + 1 : Math.ceil((2 * (q.page_size + 1)) / CDR_SHARDS) + 2;
      const page: ScannedCdr[] = [];
      for await (const row of scanCdrs(deps.store, scan, { limit })) {
        page.push(row);
        if (page.length > q.page_size) break;
      }
      const more = page.length > q.page_size;
      const rows = more ? page.slice(0, q.page_size) : page;
      return c.json(
        {
          result: rows.map((r) => cdrView(r.doc, r.rating, audienceOf(principalCustomer))),
          next_page_token: more ? encodeToken(rows[rows.length - 1]!.order) : '',
        },
        200,
      );
    },
  );

  // Before /v1/cdrs/{id}: `export` is no id.
  group.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cdrs/export',
      tags: ['CDRs'],
      summary: 'Export CDRs of a time range as CSV',
      description:
        'One line per call, newest first, RFC 4180 (CRLF, quoted when needed), a header line first. ' +
        'Columns: see docs/cdrs.md; `attempts` holds every attempt as ' +
        '`target_kind:target_id:route_id:code:cause:pdd_ms:uri`, separated by `|`; the last four ' +
        'columns are the rating (`cost_amount`, `cost_currency`, `price_amount`, `price_currency`; ' +
        'the `cost_*` columns are empty for a customer key). Streamed as it is read.',
      security: bearerSecurity,
      request: {
        // Strict: an unknown parameter (the list's `provider_id`, which means any attempt) is a 400
        // naming it, not an export of every call.
        query: z
          .object({
            ...range,
            answered_by: id.optional().openapi({
              description:
                "Only the calls this provider answered (the rating's `provider_id`): what it bills. " +
                'Operator only: 403 for a customer key.',
            }),
          })
          .strict(),
      },
      responses: {
        200: {
          description: 'The CSV',
          content: { 'text/csv': { schema: z.string().openapi({ example: 'id,call_id,...\r\n' }) } },
        },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const principalCustomer = customerScope(principalOf(c));
      operatorFilter(principalCustomer, 'answered_by', q.answered_by);
      const window = timeRange(q);
      const scope = scopeOf(principalCustomer, q.customer_id);
      const rows =
        scope === 'nothing'
          ? undefined
          : scanCdrs(deps.store, { ...window, ...scope }, { limit: EXPORT_PAGE, prefetch: true });
      const stream = csvStream(
        rows && q.answered_by ? answeredBy(rows, q.answered_by) : rows,
        audienceOf(principalCustomer),
      );
      const headers = {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${exportName(window)}"`,
      };
      if (deps.exportMaxBytes === undefined) return c.body(stream, 200, headers);
      return c.body(await buffered(stream, deps.exportMaxBytes), 200, headers);
    },
  );

  group.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cdrs/{id}',
      tags: ['CDRs'],
      summary: 'Get a CDR',
      description:
        "A customer key reads its own customer's records, without the buy side (`rating.provider_id`, " +
        '`rating.cost` and `rating.cost_unrated_reason` null).',
      security: bearerSecurity,
      request: { params: z.object({ id: id.openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: {
        200: { description: 'The CDR', content: { 'application/json': { schema: ratedCdr } } },
        ...problemResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const { id: cdrId } = c.req.valid('param');
      const principal = principalOf(c);
      const stored = await getCdr(deps.store, cdrId);
      if (!stored) throw notFound(`cdr ${cdrId} does not exist`);
      // A record without a customer (refused before one was known) is the operator's alone.
      assertCanSee(principal, stored.doc.customer_id ?? '', `cdr ${cdrId}`);
      return c.json(cdrView(stored.doc, stored.rating, principal.kind), 200);
    },
  );

  group.openapi(
    createRoute({
      method: 'post',
      path: '/v1/cdrs/rerate',
      tags: ['CDRs'],
      summary: 'Rate the CDRs of a period again (operator)',
      description:
        'Rates every CDR of `[from, to)` (at most ' +
        `${MAX_RANGE_DAYS} days; one customer with \`customer_id\`) again with the rate decks and ` +
        'plans as they are now, each call with the line in force at its start, and rewrites the ' +
        'ratings that changed. Balances are not moved: `customers` gives the price delta of each ' +
        'customer, to correct with `POST /v1/customers/{id}/balance`. At most 1000 changes are ' +
        'listed (`changes_truncated`). A request stops after about 20 s with `complete: false`: ' +
        'send it again with `to` = `next_to`. The body is an empty JSON object (every write of ' +
        'the API is JSON).',
      security: bearerSecurity,
      request: {
        query: z.object(range),
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({}).strict().openapi({ example: {} }) } },
        },
      },
      responses: {
        200: { description: 'What changed', content: { 'application/json': { schema: rerateReport } } },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      requireOperator(c);
      const q = c.req.valid('query');
      const window = timeRange(q);
      const report = await rerateCdrs(deps.store, deps.rating, window, q.customer_id, {
        ...(deps.rerateBudgetMs !== undefined ? { budgetMs: deps.rerateBudgetMs } : {}),
      });
      return c.json(report, 200);
    },
  );

  return group;
}

/** The rows whose rating names `providerId` as the provider that answered. */
async function* answeredBy(rows: AsyncGenerator<ScannedCdr>, providerId: string): AsyncGenerator<ScannedCdr> {
  for await (const row of rows) if (row.rating?.provider_id === providerId) yield row;
}

const exportName = (w: TimeRange) => `cdrs-${w.from.replaceAll(':', '')}-${w.to.replaceAll(':', '')}.csv`;

/**
 * The CSV as a byte stream pulled by the client: each pull reads rows until
 * about 64 KB are encoded, so the server never holds more than that and one
 * page per partition, however many rows there are.
 */
function csvStream(
  rows: AsyncGenerator<ScannedCdr> | undefined,
  audience: CdrAudience,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let header = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let text = '';
        if (header) {
          text = cdrCsvHeader();
          header = false;
        }
        while (rows && text.length < 64 * 1024) {
          const next = await rows.next();
          if (next.done) {
            rows = undefined;
            break;
          }
          text += cdrCsvLine(next.value.doc, next.value.rating, audience);
        }
        if (text) controller.enqueue(encoder.encode(text));
        if (!rows) controller.close();
      },
      async cancel() {
        await rows?.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The whole stream as one body, refused (400) past `max` bytes: a buffered Lambda answer cannot be larger. */
async function buffered(stream: ReadableStream<Uint8Array>, max: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > max) {
      // Leaving the loop cancels the stream, which ends the scan.
      throw badRequest(
        `the export is larger than ${max} bytes, the most this endpoint answers; ask for a shorter range`,
        [{ field: 'to', message: 'is too far from `from` for one export: split the range' }],
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
