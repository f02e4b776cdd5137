import { Big } from 'big.js';
import { effectiveFromMs, type RateLine } from '../billing/rate-line';
import type { FieldError } from './errors';

export type { RateLine } from '../billing/rate-line';

/** The columns of a deck line, in the order a line without a header gives them. */
export const RATE_COLUMNS = [
  'prefix',
  'rate',
  'connect_fee',
  'first_increment_s',
  'next_increment_s',
  'minimum_s',
  'effective_from',
] as const;
type Column = (typeof RATE_COLUMNS)[number];

/**
 * Lines one prefix may hold (one per `effective_from`): a prefix's lines are stored in one chunk
 * (rate-chunks.ts), so a run must stay far below a chunk.
 */
export const MAX_LINES_PER_PREFIX = 100;

const MAX_REPORTED_ERRORS = 1000;
/** A first line whose first cell is a word (no prefix is) names the columns. */
const HEADER = /^\s*"?[a-z_]+"?\s*(,|$)/i;
const DEFAULTS = { connect_fee: '0', first_increment_s: 60, next_increment_s: 60, minimum_s: 0 };
const MAX_INCREMENT_S = 3600;
/** A decimal ≥ 0: at most 12 integer digits (as money.ts) and any number of decimals (checked apart). */
const DECIMAL = /^(0|[1-9][0-9]{0,11})(\.[0-9]+)?$/;
const INTEGER = /^[0-9]{1,6}$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** ISO 8601 with an offset, as rate-line.ts's `effective_from` (seconds and fractions optional). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

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

/** One line's cells → a complete line (defaults filled in), or undefined after reporting each bad field. */
function parseLine(
  raw: Partial<Record<Column, string>>,
  fail: (field: string, message: string) => void,
): RateLine | undefined {
  let ok = true;
  const bad = (field: string, message: string) => {
    ok = false;
    fail(field, message);
  };
  const rawPrefix = raw.prefix ?? '';
  const prefix = rawPrefix.startsWith('+') ? rawPrefix : `+${rawPrefix}`;
  if (!/^\+[0-9]{1,15}$/.test(prefix)) bad('prefix', 'must be + (optional) followed by 1 to 15 digits');
  const rate = decimal('rate', raw.rate, undefined, bad);
  const connectFee = decimal('connect_fee', raw.connect_fee, DEFAULTS.connect_fee, bad);
  const first = integer('first_increment_s', raw.first_increment_s, DEFAULTS.first_increment_s, 1, bad);
  const next = integer('next_increment_s', raw.next_increment_s, DEFAULTS.next_increment_s, 1, bad);
  const minimum = integer('minimum_s', raw.minimum_s, DEFAULTS.minimum_s, 0, bad);
  const effectiveFrom = instant(raw.effective_from, bad);
  if (!ok) return undefined;
  return {
    prefix,
    rate: rate!,
    connect_fee: connectFee!,
    first_increment_s: first!,
    next_increment_s: next!,
    minimum_s: minimum!,
    effective_from: effectiveFrom!,
  };
}

/** A decimal string ≥ 0 with at most 6 places, in its one canonical spelling (`0.0120` → `0.012`). */
function decimal(
  field: string,
  cell: string | undefined,
  fallback: string | undefined,
  bad: (field: string, message: string) => void,
): string | undefined {
  if (cell === undefined || cell === '') {
    if (fallback === undefined) bad(field, 'is required');
    return fallback;
  }
  if (field === 'connect_fee' && DATE_ONLY.test(cell)) {
    // The older three-column `prefix,rate,effective_date` without its header line.
    bad(
      field,
      'is a date: the third column is connect_fee; start the file with a header line such as prefix,rate,effective_from',
    );
    return undefined;
  }
  if (!DECIMAL.test(cell)) {
    bad(field, 'must be a decimal number ≥ 0 such as 0.0125 (at most 12 digits before the point)');
    return undefined;
  }
  if ((cell.split('.')[1]?.length ?? 0) > 6) {
    bad(field, 'has more than 6 decimal places');
    return undefined;
  }
  return new Big(cell).toFixed();
}

function integer(
  field: string,
  cell: string | undefined,
  fallback: number,
  min: number,
  bad: (field: string, message: string) => void,
): number | undefined {
  if (cell === undefined || cell === '') return fallback;
  const value = INTEGER.test(cell) ? Number(cell) : Number.NaN;
  if (!(value >= min && value <= MAX_INCREMENT_S)) {
    bad(field, `must be a whole number of seconds from ${min} to ${MAX_INCREMENT_S}`);
    return undefined;
  }
  return value;
}

/** An ISO 8601 instant with an offset (or a plain date: midnight UTC) → its UTC form; empty: null. */
function instant(
  cell: string | undefined,
  bad: (field: string, message: string) => void,
): string | null | undefined {
  if (cell === undefined || cell === '') return null;
  const text = DATE_ONLY.test(cell) ? `${cell}T00:00:00Z` : cell;
  const ms = DATE_TIME.test(text) ? Date.parse(text) : Number.NaN;
  // Date.parse rolls 2026-02-30 over to March: the date must read back as written.
  if (Number.isNaN(ms) || !sameCalendarDate(text, ms)) {
    bad(
      'effective_from',
      'must be an ISO 8601 date-time with an offset (2027-01-01T00:00:00Z) or a date (midnight UTC)',
    );
    return undefined;
  }
  return new Date(ms).toISOString();
}

/** The written calendar date exists (shifting by the offset cannot change whether it does). */
function sameCalendarDate(text: string, ms: number): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return (
    probe.getUTCFullYear() === y &&
    probe.getUTCMonth() === m - 1 &&
    probe.getUTCDate() === d &&
    !Number.isNaN(ms)
  );
}
