import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { type DurableFile, type DurableFs, isMissing, nodeDurableFs, writeAll } from '../disk/durable-fs';
import { createGroupCommit } from '../disk/group-commit';
import type { Logger } from '../log';
import { type Dialog, type DialogStore, dialog as dialogSchema } from './dialog';
import { createMemoryDialogStore, type MemoryDialogStore } from './memory-dialog-store';

/** The journal in the store's folder: one JSON object per line, `{"put":dialog}` or `{"delete":call_id}`. */
export const JOURNAL_FILE = 'journal.jsonl';
/** What a compaction writes before renaming it over the journal; a leftover is an unfinished one. */
export const COMPACTING_FILE = 'journal.jsonl.new';

/**
 * Lines waiting for their fsync: once this many are pending they are written at once instead of at
 * the end of the window, so a burst does not grow one write without bound.
 */
export const GROUP_COMMIT_LINES = 256;

/**
 * The journal is rewritten with the live dialogs only once it is past this size and past
 * COMPACT_FACTOR times what the last compaction wrote: a busy relay compacts rarely, and the
 * journal stays a small multiple of what it must hold.
 */
export const COMPACT_MIN_BYTES = 4 * 1024 * 1024;
const COMPACT_FACTOR = 4;

/** Dialogs per write while compacting: the event loop serves SIP between writes. */
const COMPACT_CHUNK = 1000;

export type FileDialogStoreOptions = {
  /** The store's folder (`<dataDir>/dialogs`); made when missing. */
  dir: string;
  /** A dialog is ended this long after its answer (`takeExpired`); see the memory store. */
  ttlMs: number;
  /**
   * Group commit: puts and deletes made within this window share one write and one fdatasync.
   * What a power cut may lose: the dialogs answered or ended within the last window.
   */
  fsyncMs: number;
  log: Logger;
  /** Below this journal size no compaction happens (tests make it small). */
  compactMinBytes?: number;
  /** The calls that write (tests count fsyncs); the journal is read with node's own streams. */
  fs?: DurableFs;
  now?: () => number;
};

export type FileDialogStore = DialogStore & { close(): Promise<void> };

/** A change waiting for its line: a put (the dialog) or a delete (its Call-ID). */
type Change = Dialog | string;

/**
 * Dialogs of a relay without Redis that survive its restart, a crash or kill -9 included: the
 * in-memory store, plus an append-only journal in `dir` that is replayed when the store opens, so a
 * relay restarted on the same address routes the BYE of every call it had answered and closes its
 * record (docs/design.md, "How a call flows", step 9).
 *
 * Writes stay off the SIP path: `put` and `delete` change memory at once and resolve once their
 * line is written and fdatasync'd, together with every other line of the same `fsyncMs` window
 * (or of GROUP_COMMIT_LINES lines). A process crash loses only lines still waiting in the window;
 * a power cut also loses a write in progress. While a compaction runs, lines wait for it.
 * `take` and `takeExpired` answer from memory at once and journal their delete in the same way.
 *
 * Opening replays the journal (the last line about a Call-ID wins; unreadable lines and a torn last
 * line are skipped and counted), then compacts it: the live dialogs written to a new file,
 * fsynced, renamed over the journal, the folder fsynced. Dialogs past their lifetime are kept: the
 * relay ends them through `takeExpired` and closes their records.
 *
 * @example
 * const dialogs = await openFileDialogStore({ dir: '/var/lib/tandem-relay/dialogs', ttlMs: 43_200_000, fsyncMs: 20, log });
 * await dialogs.put(dialog); // on disk now
 */
export async function openFileDialogStore(options: FileDialogStoreOptions): Promise<FileDialogStore> {
  const { dir, log } = options;
  const fs = options.fs ?? nodeDurableFs;
  const compactMinBytes = options.compactMinBytes ?? COMPACT_MIN_BYTES;
  const local = createMemoryDialogStore({
    ttlMs: options.ttlMs,
    ...(options.now ? { now: options.now } : {}),
  });
  const journalPath = join(dir, JOURNAL_FILE);
  await fs.mkdir(dir);
  await fs.syncDir(dirname(dir)); // the folder's own name must survive a power cut

  const replayed = await replay(journalPath, local);
  let file: DurableFile | undefined;
  let journalBytes = 0;
  let compactAt = compactMinBytes;
  let closed = false;
  /** Lines refused since the last write that went through; a write is then repaired by a compaction. */
  let failedLines: number | undefined;
  /** Set by a write that went through after failures: the compaction that follows repairs the journal. */
  let repaired = false;

  const compact = async (): Promise<void> => {
    const next = join(dir, COMPACTING_FILE);
    await fs.unlink(next).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
    const out = await fs.open(next, 'wx');
    let bytes = 0;
    try {
      let lines: string[] = [];
      const flush = async () => {
        const data = Buffer.from(lines.join(''));
        lines = [];
        await writeAll(out, data);
        bytes += data.length;
      };
      // A live view of the map: a dialog changed between two writes is written as it is then, and
      // its change's line (still pending) follows in the new journal; replaying both is harmless.
      for (const dialog of local.values()) {
        lines.push(putLine(dialog));
        if (lines.length >= COMPACT_CHUNK) await flush();
      }
      if (lines.length > 0) await flush();
      await out.datasync();
    } finally {
      await out.close();
    }
    await fs.rename(next, journalPath);
    await fs.syncDir(dir);
    // The old handle points at the replaced file: later lines go to the new one.
    const previous = file;
    file = undefined;
    await previous?.close().catch(() => {});
    file = await fs.open(journalPath, 'a');
    journalBytes = bytes;
    compactAt = Math.max(compactMinBytes, COMPACT_FACTOR * bytes);
  };

  const compactNow = async (): Promise<void> => {
    try {
      await compact();
    } catch (error) {
      // The journal as it was stays valid: lines keep being appended; the next try waits for more.
      compactAt = journalBytes + compactMinBytes;
      log.error('dialog journal compaction failed', { error: String(error) });
    }
  };

  /** One group of lines: one write and one fdatasync; a failure refuses all of them. */
  const writeGroup = async (group: Change[]): Promise<void> => {
    const repairing = failedLines !== undefined;
    // After a failed write the journal may end in part of a line: a newline keeps the next line whole.
    // Serialized here, in the window's turn, rather than in the turn that forwards the 2xx.
    const data = Buffer.from((repairing ? '\n' : '') + group.map(lineOf).join(''));
    try {
      file ??= await fs.open(journalPath, 'a');
      await writeAll(file, data);
      await file.datasync();
    } catch (error) {
      if (failedLines === undefined) {
        // One line per streak of failures (a full disk fails every window), and one when it ends.
        log.error('dialog journal write failed', { lines: group.length, error: String(error) });
        failedLines = 0;
      }
      failedLines += group.length;
      journalBytes += data.length;
      throw error;
    }
    journalBytes += data.length;
    repaired = repairing;
  };

  const commit = createGroupCommit<Change>({
    windowMs: options.fsyncMs,
    maxItems: GROUP_COMMIT_LINES,
    write: writeGroup,
    afterWrite: async () => {
      if (repaired) {
        log.info('dialog journal writes back', { lines_failed: failedLines });
        failedLines = undefined;
        repaired = false;
        // Memory kept every change the failed lines carried: a compaction puts them on disk.
        await compactNow();
      } else if (journalBytes >= compactAt) await compactNow();
    },
  });

  /** Queues one change's line; resolves once it is written and fdatasync'd. */
  const journal = (change: Change): Promise<void> =>
    closed ? Promise.reject(new Error('dialog journal closed')) : commit.add(change);

  /**
   * A dialog handed out by take or takeExpired: the caller ends it whatever the disk does (its
   * record must be closed), so a failed line is only logged, once per streak, by the writer.
   */
  const journalTaken = (callId: string) => {
    journal(callId).catch(() => {});
  };

  await compact();
  const restored = await local.size();
  const fields = { dialogs: restored, lines: replayed.lines, skipped: replayed.skipped };
  if (replayed.skipped > 0) log.warn('dialogs restored from journal, unreadable lines skipped', fields);
  else log.info('dialogs restored from journal', fields);

  return {
    get: (callId) => local.get(callId),
    // The line is queued in the same turn as the change in memory: the journal keeps their order.
    put(dialog) {
      const written = journal(dialog);
      void local.put(dialog);
      return written;
    },
    delete(callId) {
      const written = journal(callId);
      void local.delete(callId);
      return written;
    },
    take(callId) {
      if (local.peek(callId) !== undefined) journalTaken(callId);
      return local.take(callId);
    },
    async takeExpired(now, limit) {
      // Call-IDs are not reused, so no put of these can come between their removal and this line.
      const taken = await local.takeExpired(now, limit);
      for (const dialog of taken) journalTaken(dialog.call_id);
      return taken;
    },
    size: () => local.size(),
    /** Writes what is pending and closes the journal; later changes stay in memory only. */
    async close() {
      if (closed) return commit.then(async () => {});
      closed = true;
      await commit.flush();
      await commit.then(async () => {
        await file?.close().catch(() => {});
        file = undefined;
      });
    },
  };
}

const putLine = (dialog: Dialog) => `${JSON.stringify({ put: dialog })}\n`;
const lineOf = (change: Change) =>
  typeof change === 'string' ? `${JSON.stringify({ delete: change })}\n` : putLine(change);

/**
 * Applies the journal's lines in order; a missing journal is an empty one (first start). Read as a
 * stream: a journal of many held calls can be larger than one string may be.
 */
async function replay(path: string, local: MemoryDialogStore): Promise<{ lines: number; skipped: number }> {
  let lines = 0;
  let skipped = 0;
  const input = createReadStream(path, { encoding: 'utf8' });
  try {
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line === '') continue;
      lines += 1;
      const entry = parseJson(line);
      if (typeof entry?.['delete'] === 'string') {
        await local.delete(entry['delete']);
        continue;
      }
      const parsed = entry && 'put' in entry ? dialogSchema.safeParse(entry['put']) : undefined;
      if (parsed?.success) await local.put(parsed.data);
      else skipped += 1;
    }
  } catch (error) {
    if (isMissing(error)) return { lines: 0, skipped: 0 };
    throw error;
  } finally {
    input.destroy();
  }
  return { lines, skipped };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
