import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Store } from './client';
import { badRequest } from './errors';
import { GSI1, GSI2 } from './keys';

type Item = Record<string, unknown>;

/** One partition to read: of the table (`index` unset), GSI1 or GSI2. */
export type PartitionQuery = {
  index?: 'GSI1' | 'GSI2';
  partition: string;
  /** Only sort keys starting with this (rate prefixes). */
  sortKeyPrefix?: string;
  /** Equality filters on fields of the stored object (`doc.<field>`). */
  filter?: Record<string, string>;
  /** Descending sort key order (a credit account's movements: newest first). */
  descending?: boolean;
  /**
   * Only sort keys `>= from` and `< to` (either may be left out; not with `sortKeyPrefix`). With
   * both, DynamoDB's BETWEEN includes `to` itself: exclusive only for keys that extend the bound
   * (`<time>#<id>` past a bare `<time>`), which is what the audit log stores.
   */
  sortKeyRange?: { from?: string | undefined; to?: string | undefined };
};

export type Page = { items: Item[]; nextPageToken: string };

const indexes = { GSI1, GSI2 } as const;

function keyAttributes(index: PartitionQuery['index']): { pk: string; names: string[] } {
  if (!index) return { pk: 'PK', names: ['PK', 'SK'] };
  const gsi = indexes[index];
  return { pk: gsi.pk, names: ['PK', 'SK', gsi.pk, gsi.sk] };
}

function queryInput(store: Store, q: PartitionQuery): QueryCommandInput {
  const gsi = q.index ? indexes[q.index] : undefined;
  const pk = gsi?.pk ?? 'PK';
  const sk = gsi?.sk ?? 'SK';
  const names: Record<string, string> = { '#pk': pk };
  const values: Record<string, unknown> = { ':pk': q.partition };
  let condition = '#pk = :pk';
  if (q.sortKeyPrefix) {
    names['#sk'] = sk;
    values[':skp'] = q.sortKeyPrefix;
    condition += ' AND begins_with(#sk, :skp)';
  }
  const { from, to } = q.sortKeyRange ?? {};
  if (from !== undefined || to !== undefined) {
    names['#sk'] = sk;
    if (from !== undefined) values[':skfrom'] = from;
    if (to !== undefined) values[':skto'] = to;
    // One key condition per sort key, so `from` and `to` together are a BETWEEN (see sortKeyRange).
    condition +=
      from !== undefined && to !== undefined
        ? ' AND #sk BETWEEN :skfrom AND :skto'
        : from !== undefined
          ? ' AND #sk >= :skfrom'
          : ' AND #sk < :skto';
  }
  // A field may be a dotted path into the doc (`actor.key_id`).
  const filters = Object.entries(q.filter ?? {}).map(([field, value], i) => {
    const path = field
      .split('.')
      .map((part, j) => {
        names[`#f${i}_${j}`] = part;
        return `#f${i}_${j}`;
      })
      .join('.');
    values[`:f${i}`] = value;
    return `#doc.${path} = :f${i}`;
  });
  if (filters.length > 0) names['#doc'] = 'doc';
  return {
    TableName: store.tableName,
    ...(gsi ? { IndexName: gsi.name } : {}),
    KeyConditionExpression: condition,
    ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
    ...(q.descending ? { ScanIndexForward: false } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The opaque token is the key of the last item returned; it only resumes the same partition. */
export function encodePageToken(item: Item, index: PartitionQuery['index']): string {
  const key = Object.fromEntries(keyAttributes(index).names.map((n) => [n, item[n]]));
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodePageToken(token: string, q: PartitionQuery): Record<string, string> {
  const invalid = () => badRequest('page_token is invalid', [{ field: 'page_token', message: 'is invalid' }]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { pk, names } = keyAttributes(q.index);
  if (typeof key !== 'object' || key === null) throw invalid();
  const record = key as Record<string, unknown>;
  if (!names.every((n) => typeof record[n] === 'string') || Object.keys(record).length !== names.length) {
    throw invalid();
  }
  if (record[pk] !== q.partition) throw invalid();
  return record as Record<string, string>;
}

/**
 * Items one page request may read past its filter: a filter that matches rarely in a large
 * partition (an audit log's `action=revoke` over a year) must not read it all in one request.
 */
export const PAGE_READ_BUDGET = 5000;

/**
 * One page of `pageSize` items. Queries repeat until the page is full, the
 * partition ends or `readBudget` items have been read; the next page starts
 * after the last item read, so pages never overlap or skip. Only a filter can
 * make a page short (even empty) with a token to go on: clients read until the
 * token is empty.
 *
 * @example
 * const page = await queryPage(store, { index: 'GSI2', partition: 'ROUTE' }, 100, token);
 */
export async function queryPage(
  store: Store,
  q: PartitionQuery,
  pageSize: number,
  pageToken?: string,
  readBudget = PAGE_READ_BUDGET,
): Promise<Page> {
  let start: Record<string, unknown> | undefined = pageToken ? decodePageToken(pageToken, q) : undefined;
  const input = queryInput(store, q);
  const collected: Item[] = [];
  // One more than asked: tells whether a next page exists without an empty last page.
  const wanted = pageSize + 1;
  let read = 0;
  do {
    const out = await store.doc
      .send(
        new QueryCommand({
          ...input,
          Limit: q.filter && Object.keys(q.filter).length > 0 ? 1000 : wanted - collected.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )
      .catch((error: Error) => {
        // A forged token DynamoDB refuses is the caller's mistake, not ours.
        if (pageToken && error.name === 'ValidationException') {
          throw badRequest('page_token is invalid', [{ field: 'page_token', message: 'is invalid' }]);
        }
        throw error;
      });
    collected.push(...((out.Items ?? []) as Item[]));
    read += out.ScannedCount ?? out.Items?.length ?? 0;
    start = out.LastEvaluatedKey;
  } while (start && collected.length < wanted && read < readBudget);
  if (collected.length <= pageSize) {
    // Out of budget with the partition not read to its end: go on after the last item read.
    return { items: collected, nextPageToken: start ? encodePageToken(start as Item, q.index) : '' };
  }
  const items = collected.slice(0, pageSize);
  return { items, nextPageToken: encodePageToken(items[items.length - 1]!, q.index) };
}

/** Every item of a partition (all pages). */
export async function queryAll(store: Store, q: PartitionQuery, projection?: string[]): Promise<Item[]> {
  const input = queryInput(store, q);
  if (projection) {
    const names = input.ExpressionAttributeNames ?? {};
    input.ProjectionExpression = projection
      .map((p, i) => {
        names[`#p${i}`] = p;
        return `#p${i}`;
      })
      .join(', ');
    input.ExpressionAttributeNames = names;
  }
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.doc.send(
      new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...((out.Items ?? []) as Item[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
