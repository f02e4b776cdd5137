import { createRoute, z } from '@hono/zod-openapi';
// Direct files, not the indexes (http/auth.ts pulls the whole store): the CDR Lambda bundles only ingestion.
import { cdrBatch, cdrBatchResult } from '../../contract/cdr';
import { type LogEntry, logLine } from '../http/log';
import { problemResponse, problemResponses } from '../http/problem';
import { relayTokenOnly } from '../http/relay-token';
import { createRouteGroup } from '../http/route-group';
import { CdrWriteThrottled, putCdrs } from '../store/cdrs';
import type { Store } from '../store/client';
import { HttpError } from '../store/errors';

export const CDRS_PATH = '/v1/cdrs';
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
    'across batches, never duplicate. 200 only once every record is durably written; 503 with ' +
    '`Retry-After` when DynamoDB throttles (send the whole batch again later). A 400 names the ' +
    'invalid fields and stores nothing.',
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
    try {
      const accepted = await putCdrs(deps.store, cdrs, {
        retentionDays: deps.retentionDays,
        ...(deps.writeBudgetMs !== undefined ? { budgetMs: deps.writeBudgetMs } : {}),
      });
      log({
        level: 'info',
        msg: 'cdr batch stored',
        batch_id: batchId,
        records: cdrs.length,
        accepted,
        ms: Date.now() - started,
      });
      return c.json({ accepted }, 200);
    } catch (error) {
      if (!(error instanceof CdrWriteThrottled)) throw error;
      log({
        level: 'warn',
        msg: 'cdr batch throttled',
        batch_id: batchId,
        records: cdrs.length,
        unwritten: error.unwritten,
        ms: Date.now() - started,
      });
      return throttledResponse(error.unwritten) as never;
    }
  });
  return group;
}

/** 503 + Retry-After: the relay keeps the batch (spool) and sends it again. */
export function throttledResponse(unwritten: number): Response {
  const response = problemResponse(
    new HttpError(
      503,
      'Service Unavailable',
      `the store is throttling writes (${unwritten} record(s) not written); send the batch again after ${CDR_RETRY_AFTER_S} s`,
    ),
  );
  response.headers.set('retry-after', String(CDR_RETRY_AFTER_S));
  return response;
}
