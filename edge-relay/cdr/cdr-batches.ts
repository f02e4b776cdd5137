import { MAX_CDR_BATCH } from '../../contract/cdr';

/**
 * Largest body the shipper sends. The API takes up to 3 MiB; staying at 2.5 MiB leaves room for a
 * record that grows by a field without turning a full batch into a 413.
 */
export const MAX_BATCH_BYTES = 2.5 * 1024 * 1024;

/** `{"cdrs":[` and `]}` around the records. */
const ENVELOPE_BYTES = Buffer.byteLength('{"cdrs":[]}');

/** A run of a segment's records sent in one request: `[start, end)` of its record list. */
export type BatchRange = { index: number; start: number; end: number };

/**
 * Cuts a segment's records (their JSON texts) into batches of at most `maxRecords` records and
 * `maxBytes` of body, in order; pure. A record larger than `maxBytes` alone still gets its batch
 * (the API answers 413 and it is set aside), so every record is in exactly one batch.
 *
 * @example
 * planBatches(records.map((r) => r.text), { maxRecords: 500 }); // [{ index: 0, start: 0, end: 500 }, …]
 */
export function planBatches(
  texts: readonly string[],
  limits: { maxRecords: number; maxBytes?: number },
): BatchRange[] {
  const maxRecords = Math.min(Math.max(1, limits.maxRecords), MAX_CDR_BATCH);
  const maxBytes = limits.maxBytes ?? MAX_BATCH_BYTES;
  const batches: BatchRange[] = [];
  let start = 0;
  let bytes = ENVELOPE_BYTES;
  texts.forEach((text, i) => {
    const size = Buffer.byteLength(text) + (i > start ? 1 : 0); // the comma before it
    if (i > start && (i - start >= maxRecords || bytes + size > maxBytes)) {
      batches.push({ index: batches.length, start, end: i });
      start = i;
      bytes = ENVELOPE_BYTES + size - 1;
    } else {
      bytes += size;
    }
  });
  if (texts.length > start) batches.push({ index: batches.length, start, end: texts.length });
  return batches;
}

/** The body of `POST /v1/cdrs` for records already written as JSON. */
export function batchBody(texts: readonly string[]): string {
  return `{"cdrs":[${texts.join(',')}]}`;
}

/**
 * The batch's `Idempotency-Key`: the segment and the batch's place in it, so the API's log line
 * names where the records came from. `retry` counts resends of what is left of a batch after the
 * API refused some of its records (another content, so another key).
 *
 * @example
 * batchKey('cdr-0001764930000000-a1b2c3d4.jsonl', 3); // 'cdr-0001764930000000-a1b2c3d4.jsonl#3'
 */
export function batchKey(segment: string, index: number, retry = 0): string {
  return `${segment}#${index}${retry > 0 ? `.${retry}` : ''}`;
}
