import { createRoute, z } from '@hono/zod-openapi';
import { id } from '../../contract/peer';
import { customerScope, principalOf } from '../http/auth';
import { problemResponses } from '../http/problem';
import { bearerSecurity, createRouteGroup } from '../http/route-group';
import { type ScannedCdr, scanCdrs } from '../store/cdr-scan';
import type { Store } from '../store/client';
import { badRequest } from '../store/errors';
import { callStats, MAX_STATS_WINDOW_S } from './call-stats';

/** Records one request reads at most; past it the answer says `truncated` (the cost stays bounded). */
export const MAX_STATS_RECORDS = 20_000;
/** Rows per DynamoDB query of one partition. */
const SCAN_PAGE = 500;

const query = z.object({
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Start, included; `to` − 1 h when absent' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'End, excluded; now when absent' }),
  bucket_s: z.coerce.number().int().min(10).max(MAX_STATS_WINDOW_S).default(60),
  customer_id: id
    .optional()
    .openapi({ description: 'Operator: one customer’s calls; a customer key reads its own' }),
});

const callStatsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    bucket_s: z.number().int(),
    buckets: z.array(
      z.object({
        start: z.string(),
        calls: z.number().int(),
        answered: z.number().int(),
        rejected: z.number().int(),
      }),
    ),
    rejects_by_reason: z.array(z.object({ reason: z.string(), count: z.number().int() })),
    /** Operator only (the buy side): empty for a customer key. */
    providers: z.array(
      z.object({
        provider_id: z.string(),
        attempts: z.number().int(),
        answered: z.number().int(),
        asr: z.number().nullable(),
        pdd_ms: z.number().int().nullable(),
      }),
    ),
    /** The window held more than MAX_STATS_RECORDS records: the figures are of the newest ones. */
    truncated: z.boolean(),
  })
  .openapi('CallStats');

export type StatsDeps = { store: Store; now: () => Date };

/**
 * `GET /v1/stats/calls`: calls per bucket, rejects by reason and per provider the answer-seizure ratio
 * and post-dial delay, computed from the stored CDRs of a window of at most one hour.
 *
 * @example
 * lazyGroup('/v1/stats', () => statsRoutes({ store, now }));
 */
export function statsRoutes(deps: StatsDeps) {
  const group = createRouteGroup();
  group.openapi(
    createRoute({
      method: 'get',
      path: '/v1/stats/calls',
      tags: ['Stats'],
      summary: 'Calls, rejects by reason and provider ASR / post-dial delay over at most one hour',
      description:
        `Read from the stored CDRs of \`[from, to)\` (at most ${MAX_STATS_WINDOW_S} s, at most ` +
        `${MAX_STATS_RECORDS} records). A customer key reads its own calls and no provider figures.`,
      security: bearerSecurity,
      request: { query },
      responses: {
        200: { description: 'The figures', content: { 'application/json': { schema: callStatsSchema } } },
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const scope = customerScope(principalOf(c));
      const to = q.to ? new Date(q.to) : deps.now();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - MAX_STATS_WINDOW_S * 1000);
      const span = (to.getTime() - from.getTime()) / 1000;
      if (span <= 0 || span > MAX_STATS_WINDOW_S) {
        throw badRequest(`from must be before to, at most ${MAX_STATS_WINDOW_S} s apart`, [
          { field: 'from', message: `must be before to, at most ${MAX_STATS_WINDOW_S} s apart` },
        ]);
      }
      const window = { from: from.toISOString(), to: to.toISOString() };
      const empty = scope !== undefined && q.customer_id !== undefined && q.customer_id !== scope;
      const customerId = scope ?? q.customer_id;
      const rows: ScannedCdr[] = [];
      if (!empty) {
        const scan = { ...window, ...(customerId ? { customerId } : {}) };
        for await (const row of scanCdrs(deps.store, scan, { limit: SCAN_PAGE })) {
          rows.push(row);
          if (rows.length > MAX_STATS_RECORDS) break;
        }
      }
      const truncated = rows.length > MAX_STATS_RECORDS;
      const stats = callStats(
        rows.slice(0, MAX_STATS_RECORDS).map((r) => r.doc),
        { ...window, bucketS: q.bucket_s },
      );
      return c.json({ ...stats, providers: scope ? [] : stats.providers, truncated }, 200);
    },
  );
  return group;
}
