import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { type Cdr, MAX_CDR_ATTEMPTS } from '../../contract/cdr';
import type { CdrRating } from '../billing/cdr-rating';
import { CDR_SHARDS, cdrDay } from './cdrs';
import type { Store } from './client';
import { GSI1, GSI2, keys } from './keys';

export type CdrFilter = {
  caller?: string | undefined;
  callee?: string | undefined;
  /** Any attempt whose target is this provider. */
  provider_id?: string | undefined;
  final_code?: number | undefined;
};

export type CdrScan = {
  /** One customer's records (GSI1; null: calls refused before a customer was known); absent: everyone's (GSI2). */
  customerId?: string | null | undefined;
  /** `[from, to)`, contract times (toISOString). */
  from: string;
  to: string;
  /** Resume strictly below this sort key (`<tm_invite>#<id>`: a page token). */
  before?: string | undefined;
  filter?: CdrFilter;
};

/** A record with its rating and its sort key (what a page token resumes after). */
export type ScannedCdr = { order: string; doc: Cdr; rating: CdrRating | null };

export type ScanOptions = {
  /** Items per DynamoDB query of one partition. */
  limit: number;
  /** Fetch each partition's next page while the current one is consumed (exports). */
  prefetch?: boolean;
};

type Item = Record<string, unknown>;
const DAY_MS = 86_400_000;

/** The UTC days of `[from, hi]`, newest first. */
function daysDown(from: string, hi: string): string[] {
  const days: string[] = [];
  const first = Date.parse(`${cdrDay(from)}T00:00:00.000Z`);
  for (let t = Date.parse(`${cdrDay(hi)}T00:00:00.000Z`); t >= first; t -= DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

function baseInput(store: Store, scan: CdrScan, lo: string, hi: string, limit: number) {
  const gsi = scan.customerId === undefined ? GSI2 : GSI1;
  const names: Record<string, string> = { '#pk': gsi.pk, '#sk': gsi.sk, '#doc': 'doc', '#rating': 'rating' };
  const values: Record<string, unknown> = { ':lo': lo, ':hi': hi };
  const filters: string[] = [];
  const f = scan.filter ?? {};
  for (const field of ['caller', 'callee', 'final_code'] as const) {
    if (f[field] === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = f[field];
    filters.push(`#doc.#${field} = :${field}`);
  }
  if (f.provider_id !== undefined) {
    // Any attempt's target: one comparison per list position (a missing position compares false).
    names['#attempts'] = 'attempts';
    names['#target'] = 'target_id';
    values[':provider'] = f.provider_id;
    const any = Array.from(
      { length: MAX_CDR_ATTEMPTS },
      (_, i) => `#doc.#attempts[${i}].#target = :provider`,
    ).join(' OR ');
    filters.push(`(${any})`);
  }
  const input: Omit<QueryCommandInput, 'ExpressionAttributeValues'> & { ExpressionAttributeValues: Item } = {
    TableName: store.tableName,
    IndexName: gsi.name,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
    ScanIndexForward: false,
    ProjectionExpression: '#doc, #rating, #sk',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    // A filter drops items after the read: read more per query so a page fills in fewer round trips.
    Limit: filters.length > 0 ? Math.max(limit, 1_000) : limit,
    ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
  };
  return { input, sk: gsi.sk };
}

/** One partition read newest first, a page at a time (at most two pages held with prefetch). */
class PartitionCursor {
  private items: Item[] = [];
  private at = 0;
  private start: Item | undefined;
  private done = false;
  private ahead: Promise<{ items: Item[]; start: Item | undefined }> | undefined;

  constructor(
    private readonly store: Store,
    private readonly input: QueryCommandInput,
    private readonly prefetch: boolean,
  ) {}

  private async fetch(start: Item | undefined) {
    const out = await this.store.doc.send(
      new QueryCommand({ ...this.input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    return { items: (out.Items ?? []) as Item[], start: out.LastEvaluatedKey as Item | undefined };
  }

  /** The next item, reading pages until one has items or the partition ends. */
  async head(): Promise<Item | undefined> {
    while (this.at >= this.items.length) {
      if (this.done) return undefined;
      const page = await (this.ahead ?? this.fetch(this.start));
      this.ahead = undefined;
      this.items = page.items;
      this.at = 0;
      this.start = page.start;
      if (!page.start) this.done = true;
      else if (this.prefetch) {
        this.ahead = this.fetch(page.start);
        // Awaited when its turn comes; a reader that stopped first must not leave a rejection unhandled.
        this.ahead.catch(() => {});
      }
    }
    return this.items[this.at];
  }

  /** The current item is consumed: drop it so a page's memory goes as it is read. */
  advance(): void {
    this.items[this.at++] = undefined as unknown as Item;
  }
}

/** Most days whose first pages are read ahead while the range keeps coming up empty. */
const MAX_DAYS_AHEAD = 8;

/**
 * CDRs of a time range, newest first, read lazily: one day partition at a
 * time (a customer's in GSI1; the operator's CDR_SHARDS partitions of GSI2
 * merged by sort key), a page per partition at a time. Memory holds one page
 * per partition (two with prefetch), whatever the number of records, so a
 * list stops after a page and an export streams millions. After a day with
 * nothing, the next days are opened together (1, 2, 4 … 8 at once), so a
 * sparse month takes a few round trips, not thirty.
 *
 * @example
 * for await (const { doc } of scanCdrs(store, { from, to }, { limit: 200 })) write(doc);
 */
export async function* scanCdrs(
  store: Store,
  scan: CdrScan,
  options: ScanOptions,
): AsyncGenerator<ScannedCdr, void, undefined> {
  const hi = scan.before !== undefined && scan.before < scan.to ? scan.before : scan.to;
  if (hi <= scan.from) return;
  // `to` is excluded: a range ending at midnight does not read the next day.
  const top = hi === scan.to ? new Date(Date.parse(hi) - 1).toISOString() : hi;
  const days = daysDown(scan.from, top);
  const { input, sk } = baseInput(store, scan, scan.from, hi, options.limit);
  const open = (day: string) => {
    const partitions =
      scan.customerId === undefined
        ? Array.from({ length: CDR_SHARDS }, (_, shard) => keys.cdrsOfDay(day, shard))
        : [keys.cdrsOfCustomer(scan.customerId, day)];
    const cursors = partitions.map(
      (pk) =>
        new PartitionCursor(
          store,
          { ...input, ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':pk': pk } },
          options.prefetch ?? false,
        ),
    );
    const opened = Promise.all(cursors.map((c) => c.head())).then((heads) => ({ cursors, heads }));
    opened.catch(() => {}); // awaited in its turn; see PartitionCursor
    return opened;
  };
  // Days being read ahead, by index; a day leaves the map once it is read (its pages with it).
  const opened = new Map<number, ReturnType<typeof open>>();
  let next = 0;
  let ahead = 1;
  for (let d = 0; d < days.length; d++) {
    for (; next < Math.min(days.length, d + ahead); next++) opened.set(next, open(days[next]!));
    const { cursors, heads } = await opened.get(d)!;
    opened.delete(d);
    let found = 0;
    for (;;) {
      // The newest head of all partitions (a linear pick: at most CDR_SHARDS of them).
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h && (best < 0 || (h[sk] as string) > (heads[best]![sk] as string))) best = i;
      }
      if (best < 0) break;
      const item = heads[best]!;
      const order = item[sk] as string;
      cursors[best]!.advance();
      heads[best] = await cursors[best]!.head();
      found++;
      // BETWEEN includes its upper bound: the page token's own item was on the last page.
      if (order !== hi)
        yield { order, doc: item['doc'] as Cdr, rating: (item['rating'] as CdrRating | undefined) ?? null };
    }
    ahead = found === 0 ? Math.min(ahead * 2, MAX_DAYS_AHEAD) : 1;
  }
}
