import { rateCdr, sameRating } from '../billing/cdr-rating';
import { scanCdrs } from '../store/cdr-scan';
import { setCdrRating } from '../store/cdrs';
import type { Store } from '../store/client';
import type { RatingSource } from './rating-source';
import { type RerateReport, rerateAccumulator } from './rerate-report';
import type { TimeRange } from './time-range';

/** Rows read per DynamoDB query of one partition while re-rating. */
const PAGE = 200;
/** Rating updates in flight at once. */
const UPDATES_IN_FLIGHT = 16;

export type RerateOptions = {
  /** Stop reading after this long and report `complete: false` with where to resume; 20 s by default. */
  budgetMs?: number;
  now?: () => number;
};

/**
 * Rates every CDR of a period again with the decks as they are now (the line in force at each
 * call's start) and rewrites the ratings that changed. Balances are not moved: the report's
 * per-customer price deltas are what a correction through the balance API would move. Newest
 * first; past the time budget it stops and reports `next_to`, the `to` of the request that goes
 * on from there (records of the last millisecond are read again, unchanged).
 *
 * @example
 * const report = await rerateCdrs(store, rating, { from, to }, customerId);
 */
export async function rerateCdrs(
  store: Store,
  rating: RatingSource,
  range: TimeRange,
  customerId: string | undefined,
  options: RerateOptions = {},
): Promise<RerateReport> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.budgetMs ?? 20_000);
  // One snapshot for the whole period: every record is rated with the same decks.
  const { decks } = await rating();
  const report = rerateAccumulator({ ...range, customer_id: customerId ?? null });
  const updates = new Set<Promise<void>>();
  let nextTo: string | null = null;
  let failure: unknown;
  const rows = scanCdrs(
    store,
    { ...range, ...(customerId ? { customerId } : {}) },
    { limit: PAGE, prefetch: true },
  );
  for await (const { doc, rating: before } of rows) {
    if (now() >= deadline) {
      nextTo = new Date(Date.parse(doc.tm_invite) + 1).toISOString();
      break;
    }
    report.examine();
    const after = rateCdr(doc, decks);
    if (sameRating(before, after)) continue;
    report.change(doc, before, after);
    const update: Promise<void> = setCdrRating(store, doc.id, after)
      .then(
        () => {},
        (error: unknown) => {
          failure ??= error;
        },
      )
      .finally(() => updates.delete(update));
    updates.add(update);
    if (updates.size >= UPDATES_IN_FLIGHT) await Promise.race(updates);
    if (failure) break;
  }
  await Promise.all(updates);
  if (failure) throw failure;
  return report.result({ complete: nextTo === null, next_to: nextTo });
}
