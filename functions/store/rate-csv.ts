import { rate as rateSchema } from '../domain';
import type { FieldError } from './errors';

export type RateLine = { prefix: string; rate: number; effective_date: string | null };

const HEADER = /^\s*"?prefix"?\s*,/i;
const MAX_REPORTED_ERRORS = 1000;
const rateLine = rateSchema.omit({ provider_id: true });

/**
 * Parses a rate deck `prefix,rate[,effective_date]` (optional header line).
 * Prefixes may omit the `+`. Every line is checked; the errors name the line
 * (1-based, as an editor shows it) and the field. Pure: no I/O.
 *
 * @example
 * parseRateCsv('prefix,rate\n+8210,0.012\n'); // { lines: [{ prefix: '+8210', rate: 0.012, effective_date: null }], errors: [] }
 */
export function parseRateCsv(text: string): { lines: RateLine[]; errors: FieldError[]; errorCount: number } {
  // Spreadsheets often start CSV files with a byte order mark.
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const lines: RateLine[] = [];
  const errors: FieldError[] = [];
  let errorCount = 0;
  const seen = new Map<string, number>();
  const fail = (line: number, field: string, message: string) => {
    errorCount++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, field, message });
  };
  rows.forEach((row, index) => {
    const line = index + 1;
    if (row.trim() === '' || (index === 0 && HEADER.test(row))) return;
    const cells = row.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (cells.length < 2 || cells.length > 3) {
      fail(line, '(line)', 'must be prefix,rate[,effective_date]');
      return;
    }
    const [rawPrefix = '', rawRate = '', rawDate = ''] = cells;
    const prefix = rawPrefix.startsWith('+') ? rawPrefix : `+${rawPrefix}`;
    const rate = rawRate === '' || !/^[0-9.eE+-]+$/.test(rawRate) ? Number.NaN : Number(rawRate);
    const parsed = rateLine.safeParse({
      prefix,
      rate,
      effective_date: rawDate === '' ? null : rawDate,
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        fail(
          line,
          String(issue.path[0] ?? '(line)'),
          issue.path[0] === 'rate' ? 'must be a number from 0 to 1000000' : issue.message,
        );
      }
      return;
    }
    const first = seen.get(parsed.data.prefix);
    if (first !== undefined) {
      fail(line, 'prefix', `duplicates line ${first}`);
      return;
    }
    seen.set(parsed.data.prefix, line);
    lines.push(parsed.data);
  });
  return { lines, errors, errorCount };
}
