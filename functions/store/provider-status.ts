import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ProviderSiteState, ProviderStatus, ProviderStatusReport } from '../../contract/health';
import type { Store } from './client';
import { badRequest } from './errors';
import { GSI1, ITEM_SK, keys } from './keys';
import { queryAll } from './pagination';

/** A site's report older than this may no longer be true: relays report every 10 s. */
export const PROVIDER_STATUS_STALE_MS = 60_000;
/** How long a site's last report is kept after it was received: a site gone for days leaves no trace. */
export const PROVIDER_STATUS_TTL_S = 3 * 86_400;
/**
 * How far ahead of this server's clock a `reported_at` may be. A relay whose clock runs far ahead
 * would otherwise write states no later report of its site could replace (older ones are ignored).
 */
export const MAX_REPORT_AHEAD_MS = 5 * 60_000;

/** Conditional puts in flight at once: a report of 1,000 providers is written in well under a second. */
const IN_FLIGHT = 16;

/** One site's entry of `GET /v1/providers/{id}/status`, as stored (staleness is computed on read). */
export type StoredSiteStatus = Omit<ProviderStatus['sites'][number], 'stale'>;
export type SiteStatus = ProviderStatus['sites'][number];

/** What became of a report: states written, states older than those stored, providers that do not exist. */
export type ReportOutcome = { stored: number; outdated: number; unknown_provider_ids: string[] };

/** The item of one (provider, site): down states also go to GSI1, so the down list is one query. */
export function providerStatusItem(
  state: ProviderSiteState,
  report: Pick<ProviderStatusReport, 'site' | 'relay_id'> & { reported_at: string },
  now: Date,
): Record<string, unknown> {
  const { provider_id: providerId, ...rest } = state;
  const doc: StoredSiteStatus = {
    site: report.site,
    relay_id: report.relay_id,
    reported_at: report.reported_at,
    ...rest,
  };
  return {
    ...keys.providerStatus(providerId, report.site),
    ...(state.state === 'down'
      ? {
          [GSI1.pk]: keys.providersReportedDown(),
          [GSI1.sk]: keys.providerStatusOrder(providerId, report.site),
        }
      : {}),
    kind: 'provider_status',
    provider_id: providerId,
    reported_at: report.reported_at,
    doc,
    expires_at: Math.floor(now.getTime() / 1000) + PROVIDER_STATUS_TTL_S,
  };
}

/** The ids among `ids` that are providers today (one BatchGetItem per 100, keys only). */
export async function existingProviders(store: Store, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const byPk = new Map(ids.map((id) => [keys.object('provider', id).PK, id]));
  const pks = [...byPk.keys()];
  for (let i = 0; i < pks.length; i += 100) {
    let request: BatchGetCommandInput['RequestItems'] = {
      [store.tableName]: {
        Keys: pks.slice(i, i + 100).map((PK) => ({ PK, SK: ITEM_SK })),
        ProjectionExpression: '#pk, #kind',
        ExpressionAttributeNames: { '#pk': 'PK', '#kind': 'kind' },
      },
    };
    while (request && Object.keys(request).length > 0) {
      const out: BatchGetCommandOutput = await store.doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[store.tableName] ?? []) {
        const id = byPk.get(String(item['PK']));
        if (id !== undefined && item['kind'] === 'provider') found.add(id);
      }
      request = out.UnprocessedKeys;
    }
  }
  return found;
}

/**
 * Stores one site's report: one item per (provider, site), each replaced only by a report at
 * least as recent (`reported_at`), so reports that cross on the way, or a retry, never put an
 * older state back. States of providers that do not exist (deleted since the relay fetched its
 * targets) are skipped; a provider listed twice keeps its last state. Times are stored as
 * `toISOString()` (fixed width), so they compare as strings.
 *
 * @example
 * await putProviderStatusReport(store, report, new Date());
 * // { stored: 12, outdated: 0, unknown_provider_ids: [] }
 */
export async function putProviderStatusReport(
  store: Store,
  report: ProviderStatusReport,
  now: Date,
): Promise<ReportOutcome> {
  const reportedAt = new Date(report.reported_at);
  if (reportedAt.getTime() - now.getTime() > MAX_REPORT_AHEAD_MS) {
    throw badRequest('the report is dated in the future', [
      {
        field: 'reported_at',
        message: `is more than ${MAX_REPORT_AHEAD_MS / 1000} s ahead of the server's clock (${now.toISOString()}): check the relay's clock`,
      },
    ]);
  }
  const stamped = { site: report.site, relay_id: report.relay_id, reported_at: reportedAt.toISOString() };
  const states = [...new Map(report.providers.map((p) => [p.provider_id, p])).values()];
  const known = await existingProviders(
    store,
    states.map((s) => s.provider_id),
  );
  const writes = states.filter((s) => known.has(s.provider_id));
  let stored = 0;
  let outdated = 0;
  let next = 0;
  const worker = async () => {
    while (next < writes.length) {
      const state = writes[next++]!;
      try {
        await store.doc.send(
          new PutCommand({
            TableName: store.tableName,
            Item: providerStatusItem(state, stamped, now),
            // The same reported_at again (a retry) rewrites the same state: idempotent.
            ConditionExpression: 'attribute_not_exists(#pk) OR #at <= :at',
            ExpressionAttributeNames: { '#pk': 'PK', '#at': 'reported_at' },
            ExpressionAttributeValues: { ':at': stamped.reported_at },
          }),
        );
        stored++;
      } catch (error) {
        // By name: the SDK's error classes may be bundled twice.
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        outdated++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, writes.length) }, worker));
  return {
    stored,
    outdated,
    unknown_provider_ids: states.filter((s) => !known.has(s.provider_id)).map((s) => s.provider_id),
  };
}

/** Whether a report received at `reportedAt` is too old to trust at `now`. */
export const isStale = (reportedAt: string, now: Date) =>
  now.getTime() - Date.parse(reportedAt) > PROVIDER_STATUS_STALE_MS;

/**
 * A provider as each site last reported it, sites ordered by name, each marked `stale` when its
 * report is more than a minute old. Items past their TTL that DynamoDB has not deleted yet are left out.
 *
 * @example
 * const sites = await providerSiteStatuses(store, providerId, new Date());
 */
export async function providerSiteStatuses(
  store: Store,
  providerId: string,
  now: Date,
): Promise<SiteStatus[]> {
  const items = await queryAll(store, { partition: keys.providerStatusPartition(providerId) });
  const nowS = now.getTime() / 1000;
  return items
    .filter((item) => item['kind'] === 'provider_status' && Number(item['expires_at'] ?? Infinity) > nowS)
    .map((item) => item['doc'] as StoredSiteStatus)
    .sort((a, b) => (a.site < b.site ? -1 : a.site > b.site ? 1 : 0))
    .map((doc) => ({ ...doc, stale: isStale(doc.reported_at, now) }));
}

/**
 * The ids of providers that some site reported `down` within the last minute (sorted): what the
 * relays hold down right now, as far as the API knows. One query of a sparse index.
 *
 * @example
 * const down = await reportedDownProviders(store, new Date()); // ['3f1c…']
 */
export async function reportedDownProviders(store: Store, now: Date): Promise<string[]> {
  const items = await queryAll(store, { index: 'GSI1', partition: keys.providersReportedDown() }, [
    'provider_id',
    'reported_at',
  ]);
  const down = new Set(
    items
      .filter((item) => !isStale(String(item['reported_at']), now))
      .map((item) => String(item['provider_id'])),
  );
  return [...down].sort();
}
