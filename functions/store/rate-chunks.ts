import { Big } from 'big.js';
import { roundMoney } from '../billing/money';
import { effectiveFromMs, type RateLine } from '../billing/rate-line';

/** Lines per deck item: ~100 KB of full lines, far under DynamoDB's 400 KB item limit. */
export const LINES_PER_CHUNK = 2000;

const byPrefixThenStart = (a: RateLine, b: RateLine) =>
  a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : effectiveFromMs(a) - effectiveFromMs(b);

/**
 * A rate deck is stored as chunks of sorted lines, not one item per prefix:
 * a 1M-prefix deck is 500 items, so it imports and loads in seconds. Sorted by
 * prefix (string order), the prefixes under any prefix form one contiguous run.
 * A prefix's lines (one per `effective_from`) stay in one chunk: a chunk never
 * starts inside a prefix's run, so chunk keys (their first prefix) are unique
 * and a listing from the chunk at or before a prefix misses none of its lines.
 * Each line is written in full, as the CSV columns
 * `prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from`.
 *
 * @example
 * toChunks([line]); // [{ first: '+82', count: 1, text: '+82,0.02,0,60,60,0,' }]
 */
export function toChunks(
  lines: readonly RateLine[],
  size = LINES_PER_CHUNK,
): { first: string; count: number; text: string }[] {
  const sorted = [...lines].sort(byPrefixThenStart);
  const chunks = [];
  for (let i = 0; i < sorted.length; ) {
    let end = Math.min(i + size, sorted.length);
    while (end < sorted.length && sorted[end]!.prefix === sorted[end - 1]!.prefix) end++;
    const part = sorted.slice(i, end);
    chunks.push({ first: part[0]!.prefix, count: part.length, text: part.map(lineText).join('\n') });
    i = end;
  }
  return chunks;
}

const lineText = (l: RateLine) =>
  `${l.prefix},${l.rate},${l.connect_fee},${l.first_increment_s},${l.next_increment_s},${l.minimum_s},${l.effective_from ?? ''}`;

/**
 * The lines of one chunk, in prefix order. Chunks written before lines had their billing
 * columns hold `prefix,rate,effective_date` (rate a JS number's spelling): they read with the
 * defaults, the rate rounded to 6 places and the date as midnight UTC.
 */
export function fromChunk(text: string): RateLine[] {
  return text.split('\n').map((row) => {
    const cells = row.split(',');
    if (cells.length === 3) {
      const [prefix = '', rate = '0', date = ''] = cells;
      return {
        prefix,
        rate: roundMoney(new Big(rate)),
        connect_fee: '0',
        first_increment_s: 60,
        next_increment_s: 60,
        minimum_s: 0,
        effective_from: date === '' ? null : `${date}T00:00:00.000Z`,
      };
    }
    const [prefix = '', rate = '0', fee = '0', first = '60', next = '60', minimum = '0', from = ''] = cells;
    return {
      prefix,
      rate,
      connect_fee: fee,
      first_increment_s: Number(first),
      next_increment_s: Number(next),
      minimum_s: Number(minimum),
      effective_from: from === '' ? null : from,
    };
  });
}
