import { randomBytes } from 'node:crypto';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RateLine } from '../billing/rate-line';
import { DEFAULT_CUSTOMER_ID, type Rate } from '../domain';
import type { AuditContext } from '../domain/audit-event';
import { auditOp } from './audit-events';
import type { Store } from './client';
import { currentDeckVersion } from './config-reader';
import { badRequest, conflict, notFound } from './errors';
import { keys } from './keys';
import { queryAll } from './pagination';
import { fromChunk, toChunks } from './rate-chunks';
import { bumpVersion, transact } from './transaction';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

const BATCH = 25;
const IN_FLIGHT = 16;

/** A new deck version: sortable by time, unique. */
const newDeckVersion = () => `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

/** What holds a deck: a provider (what Tandem pays) or a rate plan (what it charges). */
export type DeckOwner = { kind: 'provider' | 'rate_plan'; id: string };

/** A provider id alone names a provider's deck (the form callers used before rate plans). */
const ownerOf = (owner: DeckOwner | string): DeckOwner =>
  typeof owner === 'string' ? { kind: 'provider', id: owner } : owner;

const label = (owner: DeckOwner) => `${owner.kind === 'provider' ? 'provider' : 'rate plan'} ${owner.id}`;

/**
 * Replaces the deck of a provider or a rate plan. Lines go under a NEW deck version with
 * parallel BatchWriteItem; one transaction then points the owner at it
 * (and bumps the config version), so readers see the old deck or the new one,
 * never half of one. The old deck is removed afterwards (best effort).
 *
 * @example
 * await importRateDeck(store, { kind: 'rate_plan', id: planId }, parseRateCsv('+82,0.01\n').lines);
 */
export async function importRateDeck(
  store: Store,
  deckOwner: DeckOwner | string,
  lines: readonly RateLine[],
  options: { audit?: AuditContext | undefined; now?: () => Date } = {},
): Promise<{
  imported: number;
  provider_id: string | null;
  rate_plan_id: string | null;
  deck_version: string;
}> {
  const owner = ownerOf(deckOwner);
  const found = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: keys.object(owner.kind, owner.id),
      ConsistentRead: true,
    }),
  );
  if (found.Item?.['kind'] !== owner.kind) throw notFound(`${label(owner)} does not exist`);
  const previous = (found.Item['rate_deck_version'] as string | undefined) ?? null;
  const deckVersion = newDeckVersion();
  const partition = keys.rateDeck(owner.id, deckVersion);
  await batchWrite(
    store,
    toChunks(lines).map((chunk) => ({
      PutRequest: { Item: { PK: partition, SK: chunk.first, n: chunk.count, lines: chunk.text } },
    })),
  );
  const ownerFields = {
    provider_id: owner.kind === 'provider' ? owner.id : null,
    rate_plan_id: owner.kind === 'rate_plan' ? owner.id : null,
  };
  // The import's record goes into the transaction that switches decks: its counts, not its lines.
  const audit = options.audit
    ? auditOp(
        store.tableName,
        options.audit,
        {
          action: 'import',
          resource: 'rate_deck',
          resource_id: owner.id,
          customer_id: null,
          before: { ...ownerFields, deck_version: previous },
          after: { ...ownerFields, deck_version: deckVersion, imported: lines.length },
        },
        (options.now ?? (() => new Date()))(),
      ).op
    : undefined;
  try {
    await transact(store, [
      {
        item: {
          Update: {
            TableName: store.tableName,
            Key: keys.object(owner.kind, owner.id),
            UpdateExpression: 'SET #v = :new',
            ConditionExpression: previous
              ? 'attribute_exists(PK) AND #v = :old'
              : 'attribute_exists(PK) AND (attribute_not_exists(#v) OR #v = :null)',
            ExpressionAttributeNames: { '#v': 'rate_deck_version' },
            ExpressionAttributeValues: {
              ':new': deckVersion,
              ...(previous ? { ':old': previous } : { ':null': null }),
            },
          },
        },
        onConditionFailed: () =>
          conflict(`${label(owner)} was deleted or its rates were imported concurrently; retry`),
      },
      bumpVersion(store.tableName, keys.version(DEFAULT_CUSTOMER_ID)),
      ...(audit ? [audit] : []),
    ]);
  } catch (error) {
    await deleteDeck(store, owner.id, deckVersion).catch(() => {});
    throw error;
  }
  if (previous) await deleteDeck(store, owner.id, previous).catch(() => {});
  return { imported: lines.length, ...ownerFields, deck_version: deckVersion };
}

/** Removes every line of one deck version (of a provider or a rate plan: ids never collide). */
export async function deleteDeck(store: Store, ownerId: string, deckVersion: string): Promise<void> {
  const partition = keys.rateDeck(ownerId, deckVersion);
  const items = await queryAll(store, { partition }, ['PK', 'SK']);
  await batchWrite(
    store,
    items.map((item) => ({ DeleteRequest: { Key: { PK: item['PK'], SK: item['SK'] } } })),
  );
}

/**
 * One page of the current deck of a provider or a rate plan, in prefix order (a prefix's lines
 * by `effective_from`, the line without one first), optionally only prefixes starting with
 * `prefix`. The token is the chunk and the index in it of the next line.
 */
export async function listRates(
  store: Store,
  options: {
    owner: DeckOwner;
    prefix?: string | undefined;
    pageSize: number;
    pageToken?: string | undefined;
  },
): Promise<{ items: Rate[]; nextPageToken: string }> {
  const { owner } = options;
  const deckVersion = await currentDeckVersion(store, owner.id, owner.kind);
  if (!deckVersion) return { items: [], nextPageToken: '' };
  const partition = keys.rateDeck(owner.id, deckVersion);
  const ownerFields = {
    provider_id: owner.kind === 'provider' ? owner.id : null,
    rate_plan_id: owner.kind === 'rate_plan' ? owner.id : null,
  };
  const wanted = options.prefix ?? '';
  let at: RatePosition | undefined = options.pageToken
    ? decodeRateToken(options.pageToken)
    : await firstChunkFor(store, partition, wanted);
  const items: Rate[] = [];
  while (at) {
    const chunks = await queryChunksFrom(store, partition, at);
    if (chunks.length === 0) break;
    for (const [c, chunk] of chunks.entries()) {
      const lines = fromChunk(chunk['lines'] as string);
      for (let i = c === 0 ? at.i : 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line.prefix.startsWith(wanted)) {
          if (items.length === options.pageSize) {
            return { items, nextPageToken: encodeRateToken({ sk: chunk['SK'] as string, i }) };
          }
          items.push({ ...ownerFields, ...line });
        } else if (line.prefix > wanted) {
          // Sorted: the run of prefixes under `wanted` is over.
          return { items, nextPageToken: '' };
        }
      }
    }
    const last = chunks[chunks.length - 1]!;
    at = chunks.length < CHUNKS_PER_READ ? undefined : { sk: String(last['SK']), i: 0, after: true };
  }
  return { items, nextPageToken: '' };
}

const CHUNKS_PER_READ = 4;

/** Where a page starts: chunk `sk` (or the one after it) and the line index in it. */
type RatePosition = { sk: string; i: number; after?: boolean };

function encodeRateToken(position: RatePosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeRateToken(token: string): RatePosition {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<RatePosition>;
    if (typeof value.sk === 'string' && Number.isInteger(value.i) && (value.i as number) >= 0) {
      return { sk: value.sk, i: value.i as number };
    }
  } catch {}
  throw badRequest('page_token is invalid', [{ field: 'page_token', message: 'is invalid' }]);
}

/** The chunk that may hold the first prefix starting with `wanted`: the last chunk starting at or before it. */
async function firstChunkFor(store: Store, partition: string, wanted: string): Promise<RatePosition> {
  if (wanted === '') return { sk: '', i: 0 };
  const out = await store.doc.send(
    new QueryCommand({
      TableName: store.tableName,
      KeyConditionExpression: 'PK = :pk AND SK <= :sk',
      ExpressionAttributeValues: { ':pk': partition, ':sk': wanted },
      ScanIndexForward: false,
      Limit: 1,
      ProjectionExpression: 'SK',
    }),
  );
  return { sk: (out.Items?.[0]?.['SK'] as string | undefined) ?? '', i: 0 };
}

async function queryChunksFrom(store: Store, partition: string, at: RatePosition) {
  const out = await store.doc.send(
    new QueryCommand({
      TableName: store.tableName,
      KeyConditionExpression: at.sk === '' ? 'PK = :pk' : `PK = :pk AND SK ${at.after ? '>' : '>='} :sk`,
      ExpressionAttributeValues: { ':pk': partition, ...(at.sk === '' ? {} : { ':sk': at.sk }) },
      Limit: CHUNKS_PER_READ,
    }),
  );
  return (out.Items ?? []) as Record<string, unknown>[];
}

/** BatchWriteItem in chunks of 25, several in flight, unprocessed items retried with backoff. */
async function batchWrite(store: Store, requests: WriteRequest[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const chunk = requests.slice(next, next + BATCH);
      next += BATCH;
      let pending: WriteRequest[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        if (attempt > 10) throw new Error('BatchWriteItem kept returning unprocessed items');
        const out = await store.doc.send(
          new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }),
        );
        pending = (out.UnprocessedItems?.[store.tableName] ?? []) as WriteRequest[];
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}
