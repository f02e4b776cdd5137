import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Cdr } from '../../contract/cdr';
import type { CdrRating } from '../billing/cdr-rating';
import { jitteredDelay } from './backoff';
import { batchGet } from './batch-get';
import type { Store } from './client';
import { GSI1, GSI2, keys } from './keys';
import { THROTTLED } from './transient';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/**
 * Partitions of one day in the operator's index (GSI2). A partition key value
 * takes at most 1,000 WRU/s, and the time-ordered sort key leaves adaptive
 * capacity nothing to split on, so one day partition would cap the whole
 * system at ~500 CDRs/s; eight raise it to ~4,000/s (docs/cdrs.md).
 */
export const CDR_SHARDS = 8;

const BATCH = 25;
const IN_FLIGHT = 8;
/** How long a batch keeps retrying unprocessed items before it answers 503 (the relay retries later). */
const WRITE_BUDGET_MS = 5_000;

/** The store is throttling CDR writes: some records of the batch may be stored, the batch must be sent again. */
export class CdrWriteThrottled extends Error {
  constructor(readonly unwritten: number) {
    super(`DynamoDB throttled the CDR writes (${unwritten} record(s) not written)`);
    this.name = 'CdrWriteThrottled';
  }
}

/** FNV-1a of the id: a stable, even spread of records over the day's shards. */
export function cdrShard(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % CDR_SHARDS;
}

/** The UTC day (`yyyy-mm-dd`) of a contract time. */
export const cdrDay = (time: string) => time.slice(0, 10);

/**
 * The item of one record: keyed by its id (so a record posted twice is one
 * item, whatever else changed), indexed by customer and day (GSI1) and by
 * sharded day (GSI2), both sorted by INVITE time; `expires_at` is the
 * retention TTL; `rating` beside `doc` (the record exactly as the relay sent
 * it), so re-rating rewrites that attribute alone. Nothing else: lists filter
 * on `doc` itself (docs/cdrs.md, item sizes).
 *
 * @example
 * cdrItem(record, 400, rating); // { PK: 'CDR#<id>', SK: 'A', GSI1PK: 'CDR#CUSTOMER#<c>#2026-12-05', ... }
 */
export function cdrItem(
  record: Cdr,
  retentionDays: number,
  rating: CdrRating | null = null,
): Record<string, unknown> {
  const day = cdrDay(record.tm_invite);
  const order = keys.cdrOrder(record.tm_invite, record.id);
  return {
    ...keys.cdr(record.id),
    [GSI1.pk]: keys.cdrsOfCustomer(record.customer_id, day),
    [GSI1.sk]: order,
    [GSI2.pk]: keys.cdrsOfDay(day, cdrShard(record.id)),
    [GSI2.sk]: order,
    kind: 'cdr',
    doc: record,
    rating,
    expires_at: Math.floor(Date.parse(record.tm_invite) / 1000) + retentionDays * 86_400,
  };
}

export type PutCdrsOptions = {
  retentionDays: number;
  /** Each record's rating by id, written in the same item (absent: stored unrated, `rating: null`). */
  ratings?: ReadonlyMap<string, CdrRating>;
  /** Retry budget for unprocessed items; then CdrWriteThrottled. */
  budgetMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Writes records with BatchWriteItem (25 per request, several in flight). A
 * repeated id is written once (the last copy); writing an id already stored
 * replaces the same item, so retries never duplicate (ingestion writes only
 * the records `storedCdrs` did not find: a stored record keeps its rating). Unprocessed items are
 * retried with exponential backoff and full jitter for `budgetMs`; past it,
 * or when DynamoDB throttles outright, it throws CdrWriteThrottled. Resolves
 * only when every record is written. Returns the number of distinct records.
 *
 * @example
 * const accepted = await putCdrs(store, batch.cdrs, { retentionDays: 400 });
 */
export async function putCdrs(
  store: Store,
  records: readonly Cdr[],
  options: PutCdrsOptions,
): Promise<number> {
  const unique = new Map(records.map((r) => [r.id, r]));
  const requests: WriteRequest[] = [...unique.values()].map((r) => ({
    PutRequest: { Item: cdrItem(r, options.retentionDays, options.ratings?.get(r.id) ?? null) },
  }));
  const sleep = options.sleep ?? pause;
  const deadline = Date.now() + (options.budgetMs ?? WRITE_BUDGET_MS);
  let next = 0;
  let unwritten = 0;
  let throttled = false;
  const worker = async () => {
    while (next < requests.length && !throttled) {
      let pending = requests.slice(next, next + BATCH);
      next += BATCH;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) {
          if (Date.now() >= deadline || throttled) {
            throttled = true;
            unwritten += pending.length;
            return;
          }
          await sleep(jitteredDelay(attempt, 25, 1_000));
        }
        try {
          const out = await store.doc.send(
            new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }),
          );
          pending = (out.UnprocessedItems?.[store.tableName] ?? []) as WriteRequest[];
        } catch (error) {
          if (!THROTTLED.has((error as Error).name)) throw error;
          throttled = true;
          unwritten += pending.length;
          return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, Math.ceil(requests.length / BATCH)) }, worker));
  if (throttled) throw new CdrWriteThrottled(unwritten + Math.max(0, requests.length - next));
  return unique.size;
}

/**
 * An item's size as DynamoDB counts it for capacity units (attribute names
 * and values; a map or list 3 bytes plus 1 per element; numbers by digits).
 * Each 1 KB started is one WRU per copy written.
 *
 * @example
 * Math.ceil(itemSize(cdrItem(record, 400)) / 1024); // WRUs of one copy
 */
export function itemSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(value).replace(/[-.]/g, '').length / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + itemSize(v), 0);
  return (
    3 +
    Object.entries(value as object).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + itemSize(v), 0)
  );
}

/** A stored record and its rating (null: stored before rating existed). */
export type StoredCdr = { doc: Cdr; rating: CdrRating | null };

/**
 * The records among `ids` already stored, by id, each as stored (strongly consistent; 100 keys a
 * request, the requests at once). Ingestion keeps these as they are: a record's rating is the one
 * its charge was made from, or the one a re-rating wrote since.
 *
 * @example
 * const stored = await storedCdrs(store, batch.map((r) => r.id));
 */
export async function storedCdrs(store: Store, ids: readonly string[]): Promise<Map<string, StoredCdr>> {
  const items = await batchGet(store, ids.map(keys.cdr), ['kind', 'doc', 'rating']);
  const stored = new Map<string, StoredCdr>();
  for (const item of items) {
    if (item['kind'] !== 'cdr') continue;
    const doc = item['doc'] as Cdr;
    stored.set(doc.id, { doc, rating: (item['rating'] as CdrRating | undefined) ?? null });
  }
  return stored;
}

/** One record by id (strongly consistent), or undefined. */
export async function getCdr(store: Store, id: string): Promise<StoredCdr | undefined> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: keys.cdr(id), ConsistentRead: true }),
  );
  if (out.Item?.['kind'] !== 'cdr') return undefined;
  return { doc: out.Item['doc'] as Cdr, rating: (out.Item['rating'] as CdrRating | undefined) ?? null };
}

/**
 * Replaces the rating of a stored record (re-rating), the record itself untouched. False when the
 * record is gone (its retention ran out since it was read).
 *
 * @example
 * await setCdrRating(store, record.id, rateCdr(record, decks));
 */
export async function setCdrRating(store: Store, id: string, rating: CdrRating): Promise<boolean> {
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: keys.cdr(id),
        UpdateExpression: 'SET #rating = :rating',
        ConditionExpression: '#kind = :cdr',
        ExpressionAttributeNames: { '#rating': 'rating', '#kind': 'kind' },
        ExpressionAttributeValues: { ':rating': rating, ':cdr': 'cdr' },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
