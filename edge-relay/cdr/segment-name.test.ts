import { describe, expect, it } from 'vitest';
import {
  isOpenSegment,
  isSealedSegment,
  nextSegmentTime,
  openSegmentName,
  sealedName,
  sealedSegmentsOldestFirst,
} from './segment-name';

describe('segment names', () => {
  it('sort by creation time, zero-padded, and seal by dropping .open', () => {
    const early = openSegmentName(999, 'ffffffff');
    const late = openSegmentName(1_764_930_000_000, '00000000');
    expect(early).toBe('cdr-0000000000000999-ffffffff.jsonl.open');
    expect(isOpenSegment(early)).toBe(true);
    expect(isSealedSegment(early)).toBe(false);
    expect(sealedName(late)).toBe('cdr-0001764930000000-00000000.jsonl');
    expect(
      sealedSegmentsOldestFirst([sealedName(late), 'rejected', early, sealedName(early), 'x.jsonl']),
    ).toEqual([sealedName(early), sealedName(late)]);
  });

  it('keeps creation numbers increasing within a millisecond and when the clock steps back', () => {
    expect(nextSegmentTime(1000, 0)).toBe(1000);
    expect(nextSegmentTime(1000, 1000)).toBe(1001);
    expect(nextSegmentTime(900, 1001)).toBe(1002);
  });
});
