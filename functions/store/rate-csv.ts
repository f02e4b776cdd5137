import { Big } from 'big.js';
import { RATE_COLUMNS } from '../../contract/rate-columns';
import { effectiveFromMs, type RateLine, rateLine } from '../billing/rate-line';
import type { FieldError } from './errors';

export { RATE_COLUMNS } from '../../contract/rate-columns';
export type { RateLine } from '../billing/rate-line';

type Column = (typeof RATE_COLUMNS)[number];

/**
 * Lines one prefix may hold (one per `effective_from`): a prefix's lines are stored in one chunk
 * (rate-chunks.ts), so a run must stay far below a chunk.
 */
export const MAX_LINES_PER_PREFIX = 100;

const MAX_REPORTED_ERRORS = 1000;
/** A first line whose first cell is a word (no prefix is) names the columns. */
const HEADER = /^\s*"?[a-z_]+"?\s*(,|$)/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses a rate deck, pure (no I/O): one line per rate,
 * `prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from`; the
 * columns after `rate` may be left out (or empty) for their defaults (0, 60, 60, 0, always).
 * An optional header line (the first line, column names) names the columns, in any order and any
 * subset holding `prefix` and `rate`; `effective_date` is read as `effective_from` (a plain date
 * is midnight UTC), so a `prefix,rate,effective_date` file with its header imports as it did.
 * Prefixes may omit the `+`. Rates and fees are decimal strings (at most 6 places), never floats.
 * A prefix may repeat with another `effective_from`, not with the same one. Every line is checked;
 * the errors name the line (1-based, as an editor shows it) and the field.
 *
 * @example
 * parseRateCsv('+8210,0.012\n').lines; // [{ prefix: '+8210', rate: '0.012', connect_fee: '0', first_increment_s: 60, next_increment_s: 60, minimum_s: 0, effective_from: null }]
 */
export function parseRateCsv(text: string): { lines: RateLine[]; errors: FieldError[]; errorCount: number } {
  // Spreadsheets often start CSV files with a byte order mark.
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const lines: RateLine[] = [];
  const errors: FieldError[] = [];
  let errorCount = 0;
  const fail = (line: number, field: string, message: string) => {
    errorCount++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, field, message });
  };
  let columns: readonly Column[] = RATE_COLUMNS;
  let headerNamed = false;
  /** `prefix \n effective_from ms` → the line that holds it; and lines per prefix. */
  const seen = new Map<string, number>();
  const perPrefix = new Map<string, number>();

  rows.forEach((row, index) => {
    const line = index + 1;
    if (row.trim() === '') return;
    const cells = row.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (index === 0 && HEADER.test(row)) {
      const named = readHeader(cells);
      if (typeof named === 'string') fail(line, '(header)', named);
      else {
        columns = named;
        headerNamed = true;
      }
      return;
    }
    if (cells.length > columns.length) {
      fail(
        line,
        '(line)',
        `has ${cells.length} columns; at most ${columns.length}: ${columns.join(',')}${headerNamed ? ' (the header line)' : ''}`,
      );
      return;
    }
    const raw: Partial<Record<Column, string>> = {};
    columns.forEach((column, i) => {
      raw[column] = cells[i] ?? '';
    });
    const parsed = parseLine(raw, (field, message) => fail(line, field, message));
    if (!parsed) return;
    const key = `${parsed.prefix}\n${effectiveFromMs(parsed)}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      fail(
        line,
        parsed.effective_from === null ? 'prefix' : 'effective_from',
        `repeats line ${earlier}: the same prefix with the same effective_from`,
      );
      return;
    }
    const count = (perPrefix.get(parsed.prefix) ?? 0) + 1;
    if (count > MAX_LINES_PER_PREFIX) {
      fail(line, 'prefix', `has more than ${MAX_LINES_PER_PREFIX} lines (one per effective_from)`);
      return;
    }
    seen.set(key, line);
    perPrefix.set(parsed.prefix, count);
    lines.push(parsed);
  });
  return { lines, errors, errorCount };
}

/** The columns a header names, or why it cannot be read. */
function readHeader(cells: readonly string[]): Column[] | string {
  const columns: Column[] = [];
  for (const cell of cells) {
    const name = cell.toLowerCase() === 'effective_date' ? 'effective_from' : cell.toLowerCase();
    if (!(RATE_COLUMNS as readonly string[]).includes(name)) {
      return `unknown column "${cell}"; columns: ${RATE_COLUMNS.join(',')}`;
    }
    if (columns.includes(name as Column)) return `names ${name} twice`;
    columns.push(name as Column);
  }
  if (!columns.includes('prefix') || !columns.includes('rate'))
    return 'must name the prefix and rate columns';
  return columns;
}

/** Where a CSV cell reads otherwise than the API's JSON field, the message says how it reads. */
const CSV_MESSAGES: Partial<Record<Column, string>> = {
  prefix: 'must be + (optional) followed by 1 to 15 digits',
  effective_from:
    'must be an ISO 8601 date-time with an offset (2027-01-01T00:00:00Z) or a date (midnight UTC)',
};

/**
 * One line's cells → a complete line (the schema's defaults filled in), or undefined after
 * reporting each bad field: `rateLine` checks the values, this only reads the cells as JSON would
 * give them.
 */
function parseLine(
  raw: Partial<Record<Column, string>>,
  fail: (field: string, message: string) => void,
): RateLine | undefined {
  if (DATE_ONLY.test(raw.connect_fee ?? '')) {
    // The older three-column `prefix,rate,effective_date` without its header line.
    fail(
      'connect_fee',
      'is a date: the third column is connect_fee; start the file with a header line such as prefix,rate,effective_from',
    );
    return undefined;
  }
  const input: Partial<Record<Column, string | number>> = {};
  for (const column of RATE_COLUMNS) {
    const cell = raw[column];
    // An empty cell is a column left out: the schema's default (or `is required`).
    if (cell === undefined || cell === '') continue;
    input[column] = cellValue(column, cell);
  }
  const parsed = rateLine.safeParse(input);
  if (!parsed.success) {
    const reported = new Set<string>();
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '(line)') as Column;
      if (reported.has(field)) continue;
      reported.add(field);
      fail(field, input[field] === undefined ? 'is required' : (CSV_MESSAGES[field] ?? issue.message));
    }
    return undefined;
  }
  const line = parsed.data;
  // One canonical spelling per value: `0.0120` → `0.012`, any offset → UTC.
  return {
    ...line,
    rate: new Big(line.rate).toFixed(),
    connect_fee: new Big(line.connect_fee).toFixed(),
    effective_from: line.effective_from === null ? null : new Date(line.effective_from).toISOString(),
  };
}

/** A cell as the JSON field would hold it: seconds as numbers, a plain date as midnight UTC, `+` before a prefix. */
function cellValue(column: Column, cell: string): string | number {
  switch (column) {
    case 'prefix':
      return cell.startsWith('+') ? cell : `+${cell}`;
    case 'first_increment_s':
    case 'next_increment_s':
    case 'minimum_s':
      // Digits only: Number() would also read `1e3`, `0x10` or ` `.
      return /^[0-9]+$/.test(cell) ? Number(cell) : cell;
    case 'effective_from':
      return DATE_ONLY.test(cell) ? `${cell}T00:00:00Z` : cell;
    default:
      return cell;
  }
}
