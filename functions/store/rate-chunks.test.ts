import { describe, expect, it } from 'vitest';
import { fromChunk, toChunks } from './rate-chunks';

describe('rate chunks', () => {
  it('sorts by prefix, splits by size and round-trips', () => {
    const lines = ['+8210', '+1', '+82', '+44', '+821'].map((prefix, i) => ({
      prefix,
      rate: i / 7,
      effective_date: i === 0 ? '2026-12-01' : null,
    }));
    const chunks = toChunks(lines, 2);
    expect(chunks.map((c) => [c.first, c.count])).toEqual([
      ['+1', 2],
      ['+82', 2],
      ['+8210', 1],
    ]);
    const back = chunks.flatMap((c) => fromChunk(c.text));
    expect(back.map((l) => l.prefix)).toEqual(['+1', '+44', '+82', '+821', '+8210']);
    expect(back).toEqual(expect.arrayContaining(lines));
  });
});
