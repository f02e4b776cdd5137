import { badRequest } from '../store/errors';

/** The longest range one CDR query or export reads (32 day partitions at most). */
export const MAX_RANGE_DAYS = 31;
const DAY_MS = 86_400_000;

/** `[from, to)` as contract times (toISOString: UTC, milliseconds). */
export type TimeRange = { from: string; to: string };

/**
 * The bounded range a CDR query must give: both ends present, `to` after
 * `from`, at most MAX_RANGE_DAYS apart; otherwise a 400 naming the field.
 * A date alone is midnight UTC; offsets are converted to UTC.
 *
 * @example
 * timeRange({ from: '2026-12-01', to: '2026-12-02T00:00:00+01:00' }); // { from: '2026-12-01T00:00:00.000Z', to: '2026-12-01T23:00:00.000Z' }
 */
export function timeRange(q: { from?: string | undefined; to?: string | undefined }): TimeRange {
  const missing = (['from', 'to'] as const).filter((f) => q[f] === undefined);
  if (missing.length > 0) {
    throw badRequest(
      `CDR queries need a bounded time range: ${missing.join(' and ')} missing`,
      missing.map((field) => ({
        field,
        message: `is required (a range of at most ${MAX_RANGE_DAYS} days)`,
      })),
    );
  }
  const from = Date.parse(q.from!.length === 10 ? `${q.from}T00:00:00Z` : q.from!);
  const to = Date.parse(q.to!.length === 10 ? `${q.to}T00:00:00Z` : q.to!);
  if (!(to > from))
    throw badRequest('to must be after from', [{ field: 'to', message: 'must be after from' }]);
  if (to - from > MAX_RANGE_DAYS * DAY_MS) {
    throw badRequest(`the range is longer than ${MAX_RANGE_DAYS} days`, [
      { field: 'to', message: `must be at most ${MAX_RANGE_DAYS} days after from` },
    ]);
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}
