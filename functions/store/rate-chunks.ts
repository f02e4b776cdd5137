import type { RateLine } from './rate-csv';

/** Lines per deck item: ~60 KB, far under DynamoDB's 400 KB item limit. */
export const LINES_PER_CHUNK = 2000;

/**
 * A rate deck is stored as chunks of sorted lines, not one item per prefix:
 * a 1M-prefix deck is 500 items, so it imports and loads in seconds. Sorted by
 * prefix (string order), the prefixes under any prefix form one contiguous run.
 *
 * @example
 * toChunks([{ prefix: '+82', rate: 0.02, effective_date: null }]); // [{ first: '+82', text: '+82,0.02,' }]
 */
export function toChunks(
  lines: RateLine[],
  size = LINES_PER_CHUNK,
): { first: string; count: number; text: string }[] {
  const sorted = [...lines].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
  const chunks = [];
  for (let i = 0; i < sorted.length; i += size) {
    const part = sorted.slice(i, i + size);
    chunks.push({
      first: part[0]!.prefix,
      count: part.length,
      text: part.map((l) => `${l.prefix},${l.rate},${l.effective_date ?? ''}`).join('\n'),
    });
  }
  return chunks;
}

/** The lines of one chunk, in prefix order. */
export function fromChunk(text: string): RateLine[] {
  return text.split('\n').map((row) => {
    const [prefix = '', rate = '0', date = ''] = row.split(',');
    return { prefix, rate: Number(rate), effective_date: date === '' ? null : date };
  });
}
