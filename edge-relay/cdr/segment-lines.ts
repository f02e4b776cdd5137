import { cdr } from '../../contract/cdr';

/** A line of a segment that holds a valid record: its text is sent as is (it is JSON already). */
export type SpooledRecord = { line: number; text: string };

/**
 * A line that cannot be sent: `unreadable` when it is not JSON (a torn last line after a crash
 * or a power cut, a damaged disk block), `invalid` when it is JSON but not a record of the
 * contract (written by another version of the relay).
 */
export type SetAsideLine = { line: number; text: string; kind: 'unreadable' | 'invalid'; reason: string };

/** At most this many field issues are named in one reason (a reason is logged and written). */
const MAX_ISSUES = 5;

/**
 * Splits a sealed segment into records to send and lines to set aside; pure. Lines are numbered
 * from 1. The spool writes whole lines, so only an interrupted write leaves a last line without
 * its newline: kept when it is still a whole record, set aside as torn otherwise. Blank lines
 * hold nothing and are skipped.
 *
 * A valid record is kept as the text written, not as the schema's output: fields this version
 * does not know are sent too, and the API decides (a 400 sets them aside rather than dropping
 * fields silently).
 *
 * `writtenHere`: the segment was written and sealed by this process from records it built, so its
 * whole lines are taken as they are (checking them again cost the relay ~10 % of its CPU per
 * call at 1,500 calls/s); a segment found on disk at start is checked line by line.
 *
 * @example
 * const { records, setAside } = parseSegment(await readFile(path, 'utf8'));
 */
export function parseSegment(
  text: string,
  options: { writtenHere?: boolean } = {},
): { records: SpooledRecord[]; setAside: SetAsideLine[] } {
  const records: SpooledRecord[] = [];
  const setAside: SetAsideLine[] = [];
  const lines = text.split('\n');
  const torn = lines.pop() ?? ''; // '' when the text ends with a newline, as it should
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const problem = options.writtenHere ? undefined : checkLine(line);
    if (problem) setAside.push({ line: i + 1, text: line, ...problem });
    else records.push({ line: i + 1, text: line });
  });
  if (torn.trim() !== '') {
    // Cut before its newline: a whole record still (its write stopped at the very end) or a torn one.
    const line = lines.length + 1;
    if (checkLine(torn))
      setAside.push({ line, text: torn, kind: 'unreadable', reason: 'torn line (no newline)' });
    else records.push({ line, text: torn });
  }
  return { records, setAside };
}

/** Why a line cannot be sent, or undefined when it holds a record of the contract. */
function checkLine(line: string): Omit<SetAsideLine, 'line' | 'text'> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Not V8's message: it quotes a piece of the line, and a line holds phone numbers.
    return { kind: 'unreadable', reason: 'not JSON' };
  }
  const parsed = cdr.safeParse(value);
  if (parsed.success) return undefined;
  const issues = parsed.error.issues
    .slice(0, MAX_ISSUES)
    .map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`);
  const more = parsed.error.issues.length - issues.length;
  return { kind: 'invalid', reason: `not a CDR: ${issues.join('; ')}${more > 0 ? `; ${more} more` : ''}` };
}
