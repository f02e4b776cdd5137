import { createRoute, z } from '@hono/zod-openapi';
// Direct files, not the indexes (http/auth.ts pulls the whole store): the CDR Lambda bundles only ingestion.
import { type Cdr, cdrBatch, cdrBatchResult } from '../../contract/cdr';
import type { SpendAlerts } from '../alerts/spend-alerts';
import { type CdrRating, rateCdr } from '../billing/cdr-rating';
import { type LogEntry, logLine } from '../http/log';
import { problemResponse, problemResponses } from '../http/problem';
import { relayTokenOnly } from '../http/relay-token';
import { createRouteGroup } from '../http/route-group';
import { CdrWriteThrottled, putCdrs, storedCdrs } from '../store/cdrs';
import type { Store } from '../store/client';
import { CreditContention } from '../store/credit';
import { HttpError } from '../store/errors';
import { transientStoreError } from '../store/transient';
import { ChargeBudgetExceeded, chargeBatch, chargesOf } from './charge-batch';
import type { RatingSource } from './rating-source';

export const CDRS_PATH = '/v1/cdrs';
/**
 * How long a batch's charges may run: well within the CDR function's 15 s timeout, so a batch of
 * one customer's records too long to charge at once is answered 503 (and sent again), not cut off.
 */
const CHARGE_BUDGET_MS = 10_000;
/** Seconds a throttled relay waits before it sends the batch again. */
export const CDR_RETRY_AFTER_S = 2;

export type CdrIngestDeps = {
  store: Store;
  /** TANDEM_RELAY_TOKEN; unset: ingestion answers 503. */
  relayToken: string | undefined;
  retentionDays: number;
  /** One JSON line per stored batch; the functions' log line (http/log.ts) by default. */
  log?: (entry: LogEntry) => void;
  /** Retry budget of unprocessed writes before 503 (store/cdrs.ts). */
  writeBudgetMs?: number;
  /** The decks and customers each record is rated with (cdr/rating-source.ts). */
  rating: RatingSource;
  /** How long after a batch arrived its charges may still start; then 503 (the rest on the next try). */
  chargeBudgetMs?: number;
  /** The daily spend alert; unset: none raised (tests of ingestion alone). */
  alerts?: SpendAlerts | undefined;
};

const batchHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, 'must be 1–128 visible ASCII characters')
    .optional()
    .openapi({
      description: 'The batch id, logged with the batch (records are deduplicated by their own id)',
    }),
});

export const ingestRoute = createRoute({
  method: 'post',
  path: CDRS_PATH,
  tags: ['CDRs'],
  summary: 'Store a batch of CDRs (relay only)',
  description:
    'Authenticated with the relay token (TANDEM_RELAY_TOKEN), not with API keys. 1–500 records, ' +
    'at most 3 MiB. Each record is stored once by its `id`: a batch sent again, or records repeated ' +
    'across batches, never duplicate. Each record is rated (cost and price, docs/billing.md) and ' +
    'its price charged to its customer exactly once. 200 only once every record, rating and charge ' +
    'is durably written; 503 with `Retry-After` when DynamoDB throttles or a credit account is busy ' +
    '(send the whole batch again later). A 400 names the invalid fields and stores nothing.',
  security: [{ relayToken: [] }],
  request: {
    headers: batchHeaders,
    body: { required: true, content: { 'application/json': { schema: cdrBatch } } },
  },
  responses: {
    200: {
      description: 'Every record is stored',
      content: { 'application/json': { schema: cdrBatchResult } },
    },
    ...problemResponses(400, 401, 503),
  },
});

/**
 * `POST /v1/cdrs`: the relay's batches of call records. Checks its own
 * credential (the relay token), so the API app lets it past the API-key
 * middleware (http/auth.ts). Mounted by the CDR Lambda (cdr/app.ts) and the
 * API app (npm start).
 *
 * @example
 * app.route('/', cdrIngestRoutes({ store, relayToken, retentionDays: 400 }));
 */
export function cdrIngestRoutes(deps: CdrIngestDeps) {
  const group = createRouteGroup();
  const log = deps.log ?? logLine;
  group.post(CDRS_PATH, relayTokenOnly(deps.relayToken, 'CDR ingestion'));
  group.openapi(ingestRoute, async (c) => {
    const started = Date.now();
    const { cdrs } = c.req.valid('json');
    const batchId = c.req.valid('header')['idempotency-key'] ?? null;
    const unique = [...new Map(cdrs.map((r) => [r.id, r])).values()];
    const context = await deps.rating();
    let records: Cdr[];
    let ratings: Map<string, CdrRating>;
    try {
      // A record stored already (a batch sent again, overlapping batches) is kept as it is: its
      // rating is the one its charge was made from, or the one a re-rating wrote since, so rating
      // it again with the decks of now would make the two disagree. New records are rated before
      // they are written, the rating in the same item. Two copies of a new record in flight at
      // once are both rated: they agree unless a deck changed between the two.
      const stored = await storedCdrs(
        deps.store,
        unique.map((r) => r.id),
      );
      const fresh = unique.filter((r) => !stored.has(r.id));
      records = unique.map((r) => stored.get(r.id)?.doc ?? r);
      ratings = new Map(fresh.map((r) => [r.id, rateCdr(r, context.decks)]));
      for (const [id, { rating }] of stored) if (rating) ratings.set(id, rating);
      await putCdrs(deps.store, fresh, {
        retentionDays: deps.retentionDays,
        ratings,
        ...(deps.writeBudgetMs !== undefined ? { budgetMs: deps.writeBudgetMs } : {}),
      });
    } catch (error) {
      if (!(error instanceof CdrWriteThrottled) && !transientStoreError(error)) throw error;
      const unwritten = error instanceof CdrWriteThrottled ? error.unwritten : unique.length;
      log({
        level: 'warn',
        msg: 'cdr batch throttled',
        batch_id: batchId,
        records: cdrs.length,
        unwritten,
        ms: Date.now() - started,
      });
      return throttledResponse(
        `the store is throttling writes (${unwritten} record(s) not written)`,
      ) as never;
    }
    const accepted = unique.length;
    let charged: number;
    try {
      const charges = chargesOf(records, ratings, {
        planCurrency: (id) => context.decks.plan(id)?.currency,
        creditControl: (id) => context.creditControl(id),
      });
      ({ charged } = await chargeBatch(deps.store, charges, context, deps.alerts, {
        deadline: started + (deps.chargeBudgetMs ?? CHARGE_BUDGET_MS),
      }));
    } catch (error) {
      // Anything but a passing failure is a bug or an outage: the app answers 500 and logs it,
      // rather than the relay sending the batch again forever.
      if (!chargeMayPass(error)) throw error;
      // The records are stored; their charges are not all written. The batch sent again charges
      // what is missing, once (store/credit.ts).
      log({
        level: 'warn',
        msg: 'cdr batch not charged',
        batch_id: batchId,
        records: cdrs.length,
        error: (error as Error).message,
        ms: Date.now() - started,
      });
      return throttledResponse('the records are stored but not all charged yet') as never;
    } finally {
      // Alerts waiting in the outbox go out behind the answer: a webhook never holds a batch back.
      void deps.alerts?.flush();
    }
    log({
      level: 'info',
      msg: 'cdr batch stored',
      batch_id: batchId,
      records: cdrs.length,
      accepted,
      charged,
      ms: Date.now() - started,
    });
    return c.json({ accepted }, 200);
  });
  return group;
}

/**
 * A charge failure that the batch sent again can get past: a credit account too busy, the charge
 * budget spent, DynamoDB throttling or a transaction conflict.
 */
export function chargeMayPass(error: unknown): boolean {
  return (
    error instanceof CreditContention || error instanceof ChargeBudgetExceeded || transientStoreError(error)
  );
}

/** 503 + Retry-After: the relay keeps the batch (spool) and sends it again. */
export function throttledResponse(why: string): Response {
  const response = problemResponse(
    new HttpError(503, 'Service Unavailable', `${why}; send the batch again after ${CDR_RETRY_AFTER_S} s`),
  );
  response.headers.set('retry-after', String(CDR_RETRY_AFTER_S));
  return response;
}
