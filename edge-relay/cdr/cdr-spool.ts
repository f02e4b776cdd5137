import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Cdr } from '../../contract/cdr';
import { type DurableFile, type DurableFs, nodeDurableFs, writeAll } from '../disk/durable-fs';
import { createGroupCommit } from '../disk/group-commit';
import type { Logger } from '../log';
import { isOpenSegment, isSealedSegment, nextSegmentTime, openSegmentName, sealedName } from './segment-name';
import { REJECTED_DIR } from './set-aside';
import { type SpoolLevel, spoolLevel } from './spool-level';

/**
 * Appends waiting for their fsync: once this many are pending they are written at once instead of
 * at the end of the window, so a burst does not grow one write without bound.
 */
export const GROUP_COMMIT_RECORDS = 256;

/** `append` while the spool holds `capBytes` or more: nothing was written. */
export class SpoolFullError extends Error {
  constructor(
    readonly bytes: number,
    readonly capBytes: number,
  ) {
    super(`CDR spool full (${bytes} of ${capBytes} bytes)`);
    this.name = 'SpoolFullError';
  }
}

export type CdrSpoolOptions = {
  dir: string;
  /** Bytes of segments (sealed and active) from which `append` is refused. */
  capBytes: number;
  /** Group-commit window: appends made within it share one write and one fsync. */
  fsyncMs: number;
  /** The active segment is sealed once it holds this many bytes… */
  segmentBytes: number;
  /** …or this long after it got its first record, whichever comes first. */
  sealMs: number;
  log: Logger;
  /** A segment was sealed: the shipper has something to send (cdr-sink.ts wires its `kick`). */
  /** `whole`: every line of it was written in full by this process (false after a failed write). */
  onSeal?: (segment: string, whole: boolean) => void;
  fs?: DurableFs;
  now?: () => number;
};

export type CdrSpoolState = { bytes: number; capBytes: number; segments: number; level: SpoolLevel };

export type CdrSpool = {
  /** Resolves once the record's line is written and fsynced; rejects with SpoolFullError at the cap. */
  append(record: Cdr): Promise<void>;
  state(): CdrSpoolState;
  /** The shipper deleted a sealed segment of that size: its bytes leave the cap. */
  release(bytes: number): void;
  /** Writes what is pending, seals the active segment; later appends are refused. */
  close(): Promise<void>;
};

type Pending = { line: string; bytes: number };
type ActiveSegment = { name: string; file: DurableFile; size: number; sealTimer: NodeJS.Timeout };

/**
 * Opens the relay's durable CDR spool in `dir`: append-only JSON-lines segments, written with
 * group commit, sealed by size or age for the shipper (docs/cdrs.md, "Relay spool"). A segment
 * left active by a previous process is sealed as it is, its bytes counted against the cap.
 *
 * What a power cut can lose is bounded by the promise: a record whose `append` resolved is on
 * disk; records whose `append` had not resolved yet (at most one `fsyncMs` window, or one write
 * in progress) may be lost.
 *
 * @example
 * const spool = await openCdrSpool({ dir, capBytes: 1 << 30, fsyncMs: 50, segmentBytes: 1 << 20, sealMs: 1000, log });
 * await spool.append(record); // on disk now
 */
export async function openCdrSpool(options: CdrSpoolOptions): Promise<CdrSpool> {
  const { dir, capBytes, log } = options;
  const fs = options.fs ?? nodeDurableFs;
  const now = options.now ?? Date.now;
  await fs.mkdir(join(dir, REJECTED_DIR));
  await fs.syncDir(dir);
  let { bytes, segments } = await recoverSegments(fs, dir, log);
  let level: SpoolLevel = 'ok';
  let active: ActiveSegment | undefined;
  let lastCreated = 0;
  let closed = false;

  const noteLevel = () => {
    const next = spoolLevel(bytes, capBytes);
    if (next === level) return;
    const fields = { spool_level: next, bytes, cap_bytes: capBytes };
    if (next === 'full') log.warn('cdr spool full: new calls are refused until it drains', fields);
    else if (next === 'filling') log.warn('cdr spool filling: records are not leaving fast enough', fields);
    else log.info('cdr spool back to normal', fields);
    level = next;
  };
  noteLevel();

  const createSegment = async (): Promise<ActiveSegment> => {
    lastCreated = nextSegmentTime(now(), lastCreated);
    const name = openSegmentName(lastCreated, randomBytes(4).toString('hex'));
    const file = await fs.open(join(dir, name), 'wx');
    await fs.syncDir(dir); // the new name must survive a power cut as well as the lines in it
    segments += 1;
    const sealTimer = setTimeout(() => void commit.then(() => seal(name)), options.sealMs);
    sealTimer.unref(); // a segment left open at exit is sealed by the next start
    return { name, file, size: 0, sealTimer };
  };

  /** Seals the active segment; with `only`, only if it is still that one (its timer fired late). */
  const seal = async (only?: string, whole = true): Promise<void> => {
    const segment = active;
    if (!segment || (only !== undefined && segment.name !== only)) return;
    active = undefined;
    clearTimeout(segment.sealTimer);
    const sealed = sealedName(segment.name);
    try {
      await segment.file.close();
      await fs.rename(join(dir, segment.name), join(dir, sealed));
      await fs.syncDir(dir);
    } catch (error) {
      // Left as it is: the next start seals it. Its bytes stay counted.
      log.error('cdr segment could not be sealed', { segment: segment.name, error: String(error) });
      return;
    }
    options.onSeal?.(sealed, whole);
  };

  /** One group of lines: one write and one fdatasync; a failure refuses all of them. */
  const writeGroup = async (group: Pending[]): Promise<void> => {
    const data = Buffer.from(group.map((p) => p.line).join(''));
    let segment: ActiveSegment | undefined;
    try {
      segment = active ??= await createSegment();
      await writeAll(segment.file, data);
      await segment.file.datasync();
    } catch (error) {
      bytes -= data.length;
      noteLevel();
      log.error('cdr spool write failed', { records: group.length, error: String(error) });
      if (segment) await abandon(segment);
      throw error;
    }
    segment.size += data.length;
  };

  /**
   * After a failed write or fsync: cut what this group may have left at the end of the segment
   * (its appends were refused, so it must not be sent) and seal it, so that later records go to a
   * fresh file rather than after a half-written line.
   */
  const abandon = async (segment: ActiveSegment): Promise<void> => {
    await segment.file.truncate(segment.size).catch(() => {});
    await seal(segment.name, false);
  };

  const commit = createGroupCommit<Pending>({
    windowMs: options.fsyncMs,
    maxItems: GROUP_COMMIT_RECORDS,
    write: writeGroup,
    afterWrite: async () => {
      if (active && active.size >= options.segmentBytes) await seal(active.name);
    },
  });

  return {
    append(record: Cdr): Promise<void> {
      if (closed) return Promise.reject(new Error('CDR spool closed'));
      if (level === 'full') return Promise.reject(new SpoolFullError(bytes, capBytes));
      const line = `${JSON.stringify(record)}\n`;
      const size = Buffer.byteLength(line);
      // Counted at once, so the cap is overshot by one record at most, not by a window's worth.
      bytes += size;
      noteLevel();
      return commit.add({ line, bytes: size });
    },
    state: () => ({ bytes, capBytes, segments, level }),
    release(released: number): void {
      bytes = Math.max(0, bytes - released);
      segments = Math.max(0, segments - 1);
      noteLevel();
    },
    async close(): Promise<void> {
      if (closed) return commit.then(async () => {});
      closed = true;
      await commit.flush();
      await commit.then(() => seal());
    },
  };
}

/**
 * Seals every segment a previous process left active (a crash, kill -9, a power cut: its last
 * line may be torn: the shipper's reader sets it aside) and counts what the spool holds.
 */
async function recoverSegments(
  fs: DurableFs,
  dir: string,
  log: Logger,
): Promise<{ bytes: number; segments: number }> {
  const names = await fs.readdir(dir);
  const leftOpen = names.filter(isOpenSegment);
  for (const name of leftOpen) {
    await fs.rename(join(dir, name), join(dir, sealedName(name)));
    log.warn('cdr segment left open by a previous run sealed as it is', { segment: sealedName(name) });
  }
  if (leftOpen.length > 0) await fs.syncDir(dir);
  const sealed = (await fs.readdir(dir)).filter(isSealedSegment);
  let bytes = 0;
  for (const name of sealed) bytes += await fs.size(join(dir, name));
  return { bytes, segments: sealed.length };
}
