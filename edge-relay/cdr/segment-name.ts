/*
 * Names of the spool's segment files. A name starts with its creation time so that sorting the
 * names sorts the segments oldest first (the shipper sends the oldest first), and ends with random
 * hex so that two processes, or one process after a restart with its clock set back, never pick a
 * name already on disk.
 */

/** A segment being written: only the spool writes it, the shipper never reads it. */
export const OPEN_SUFFIX = '.jsonl.open';
/** A sealed segment: complete, never written again, the shipper's to send and delete. */
export const SEALED_SUFFIX = '.jsonl';

const SEALED = /^cdr-\d{16}-[0-9a-f]{8}\.jsonl$/;
const OPEN = /^cdr-\d{16}-[0-9a-f]{8}\.jsonl\.open$/;

/**
 * The name of a new active segment. `createdMs` is zero-padded to 16 digits so the text sorts as
 * the number; `random` is 8 hex digits.
 *
 * @example
 * openSegmentName(1_764_930_000_000, 'a1b2c3d4'); // 'cdr-0001764930000000-a1b2c3d4.jsonl.open'
 */
export function openSegmentName(createdMs: number, random: string): string {
  return `cdr-${String(Math.max(0, Math.trunc(createdMs))).padStart(16, '0')}-${random}${OPEN_SUFFIX}`;
}

/** The name an active segment takes once sealed. */
export function sealedName(openName: string): string {
  return openName.slice(0, -OPEN_SUFFIX.length) + SEALED_SUFFIX;
}

export const isSealedSegment = (name: string): boolean => SEALED.test(name);
export const isOpenSegment = (name: string): boolean => OPEN.test(name);

/** The sealed segments among a directory's names, oldest first. */
export function sealedSegmentsOldestFirst(names: readonly string[]): string[] {
  return names.filter(isSealedSegment).sort();
}

/**
 * The creation number of the next segment: the clock, but always above the previous one, so that
 * segments made within one millisecond (a burst sealing by size) still sort in order.
 */
export function nextSegmentTime(now: number, previous: number): number {
  return Math.max(Math.trunc(now), previous + 1);
}
