const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The `from` and `to` of a CDR query: as given; a missing `to` is now, a missing `from` one day
 * before `to` (the API requires both). A `to` that is no date leaves `from` to the API to refuse.
 *
 * @example
 * timeWindow(undefined, undefined, new Date('2026-12-05T10:00:00Z'));
 * // { from: '2026-12-04T10:00:00.000Z', to: '2026-12-05T10:00:00.000Z' }
 */
export function timeWindow(
  from: string | undefined,
  to: string | undefined,
  now: Date,
): { from: string | undefined; to: string } {
  const end = to ?? now.toISOString();
  if (from !== undefined) return { from, to: end };
  const endMs = Date.parse(end);
  return { from: Number.isNaN(endMs) ? undefined : new Date(endMs - DAY_MS).toISOString(), to: end };
}
