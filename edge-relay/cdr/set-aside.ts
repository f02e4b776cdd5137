import { join } from 'node:path';
import { type DurableFs, writeAll } from '../disk/durable-fs';

/** Where lines that cannot be sent go, beside the segments: `<spool dir>/rejected/<segment name>`. */
export const REJECTED_DIR = 'rejected';

/** One set-aside line and why; the reason becomes the `# …` line written above it. */
export type SetAsideEntry = { reason: string; text: string };

/**
 * The text appended to a set-aside file: each line preceded by its reason as a `# …` comment
 * line; pure. A record's text never holds a raw newline (JSON escapes it), so `grep -v '^#'`
 * gives back exactly the lines that were set aside.
 *
 * @example
 * setAsideText([{ reason: 'line 7: not JSON', text: '{"id":' }]); // '# line 7: not JSON\n{"id":\n'
 */
export function setAsideText(entries: readonly SetAsideEntry[]): string {
  return entries.map((e) => `# ${e.reason.replace(/[\r\n]+/g, ' ')}\n${e.text}\n`).join('');
}

/**
 * Appends entries to the segment's file under `rejected/` and fsyncs it (and the folder, which
 * may have just got the file) before the segment itself may be deleted.
 */
export async function appendSetAside(
  fs: DurableFs,
  spoolDir: string,
  segment: string,
  entries: readonly SetAsideEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const dir = join(spoolDir, REJECTED_DIR);
  await fs.mkdir(dir);
  const file = await fs.open(join(dir, segment), 'a');
  try {
    await writeAll(file, Buffer.from(setAsideText(entries)));
    await file.datasync();
  } finally {
    await file.close();
  }
  await fs.syncDir(dir);
}
