import { describe, expect, it } from 'vitest';
import type { RateLine } from '../billing/rate-line';
import { fromChunk, toChunks } from './rate-chunks';

const line = (prefix: string, over: Partial<RateLine> = {}): RateLine => ({
  prefix,
  rate: '0.01',
  connect_fee: '0',
  first_increment_s: 60,
  next_increment_s: 60,
  minimum_s: 0,
  effective_from: null,
  ...over,
});

describe('rate chunks', () => {
  it('sorts by prefix, splits by size and round-trips every field', () => {
    const lines = ['+8210', '+1', '+82', '+44', '+821'].map((prefix, i) =>
      line(prefix, {
        rate: `0.00${i}1`,
        connect_fee: i === 0 ? '0.02' : '0',
        first_increment_s: 30 + i,
        next_increment_s: 6,
        minimum_s: i,
        effective_from: i === 0 ? '2026-12-01T00:00:00.000Z' : null,
      }),
    );
    const chunks = toChunks(lines, 2);
    expect(chunks.map((c) => [c.first, c.count])).toEqual([
      ['+1', 2],
      ['+82', 2],
      ['+8210', 1],
    ]);
    const back = chunks.flatMap((c) => fromChunk(c.text));
    expect(back.map((l) => l.prefix)).toEqual(['+1', '+44', '+82', '+821', '+8210']);
    expect(back).toEqual(expect.arrayContaining(lines));
    expect(back).toHaveLength(lines.length);
  });

  it("keeps a prefix's lines in one chunk, by effective_from, so chunk keys stay unique", () => {
    const lines = [
      line('+1'),
      line('+33', { rate: '0.03', effective_from: '2027-02-01T00:00:00.000Z' }),
      line('+33', { rate: '0.01' }),
      line('+33', { rate: '0.02', effective_from: '2027-01-01T00:00:00.000Z' }),
      line('+34'),
    ];
    const chunks = toChunks(lines, 2);
    expect(chunks.map((c) => [c.first, c.count])).toEqual([
      ['+1', 1 + 3],
      ['+34', 1],
    ]);
    expect(fromChunk(chunks[0]!.text).map((l) => l.rate)).toEqual(['0.01', '0.01', '0.02', '0.03']);
  });

  it('reads chunks stored as prefix,rate,effective_date with the defaults', () => {
    expect(fromChunk('+82,0.02,\n+8210,1e-7,2026-12-01\n+83,0.0123456789,')).toEqual([
      line('+82', { rate: '0.02' }),
      line('+8210', { rate: '0', effective_from: '2026-12-01T00:00:00.000Z' }),
      line('+83', { rate: '0.012346' }),
    ]);
  });
});
