/**
 * The columns of a rate deck line (provider decks and rate plans alike), in the order a CSV line
 * without a header gives them: what the API's import reads and its listing shows (docs/api.md).
 */
export const RATE_COLUMNS = [
  'prefix',
  'rate',
  'connect_fee',
  'first_increment_s',
  'next_increment_s',
  'minimum_s',
  'effective_from',
] as const;
