import { describe, expect, it } from 'vitest';
import { batchBody, batchKey, MAX_BATCH_BYTES, planBatches } from './cdr-batches';

describe('planBatches', () => {
  it('cuts by record count, every record in exactly one batch, in order', () => {
    const texts = Array.from({ length: 7 }, (_, i) => `{"n":${i}}`);
    expect(planBatches(texts, { maxRecords: 3 })).toEqual([
      { index: 0, start: 0, end: 3 },
      { index: 1, start: 3, end: 6 },
      { index: 2, start: 6, end: 7 },
    ]);
    expect(planBatches([], { maxRecords: 3 })).toEqual([]);
  });

  it('never exceeds the API maximum of 500 records', () => {
    const texts = Array.from({ length: 1200 }, () => '{}');
    expect(planBatches(texts, { maxRecords: 10_000 }).map((b) => b.end - b.start)).toEqual([500, 500, 200]);
  });

  it('cuts by body size, counting the envelope and the commas', () => {
    const texts = Array.from({ length: 10 }, () => 'x'.repeat(98)); // 98 bytes + a comma
    for (const maxBytes of [300, 311, 1000]) {
      const batches = planBatches(texts, { maxRecords: 500, maxBytes });
      for (const b of batches) {
        expect(Buffer.byteLength(batchBody(texts.slice(b.start, b.end)))).toBeLessThanOrEqual(maxBytes);
      }
      expect(batches.at(-1)!.end).toBe(10);
    }
    expect(planBatches(texts, { maxRecords: 500, maxBytes: 311 }).map((b) => b.end - b.start)).toEqual([
      3, 3, 3, 1,
    ]);
    expect(MAX_BATCH_BYTES).toBeLessThan(3 * 1024 * 1024);
  });

  it('gives a record larger than the limit a batch of its own', () => {
    const texts = ['a', 'b'.repeat(500), 'c'];
    expect(planBatches(texts, { maxRecords: 500, maxBytes: 100 }).map((b) => [b.start, b.end])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });
});

describe('batches on the wire', () => {
  it('wraps JSON texts in the batch body and keys batches by segment and index', () => {
    expect(JSON.parse(batchBody(['{"id":1}', '{"id":2}']))).toEqual({ cdrs: [{ id: 1 }, { id: 2 }] });
    const segment = 'cdr-0001764930000000-a1b2c3d4.jsonl';
    expect(batchKey(segment, 0)).toBe(`${segment}#0`);
    expect(batchKey(segment, 2, 1)).toBe(`${segment}#2.1`);
    expect(batchKey(segment, 2, 1)).toMatch(/^[\x21-\x7e]{1,128}$/);
  });
});
