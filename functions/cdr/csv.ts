import type { Cdr, CdrAttempt } from '../../contract/cdr';
import type { CdrRating } from '../billing/cdr-rating';
import { type CdrAudience, ratingFor } from './rated-cdr';

/**
 * One CSV field as RFC 4180 writes it: quoted when it holds a comma, a
 * quote, CR or LF (quotes doubled), as is otherwise; null is empty.
 *
 * @example
 * csvField('a,"b"'); // '"a,""b"""'
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record (line) of fields, CRLF-terminated as RFC 4180 says. */
export const csvLine = (fields: readonly (string | number | null)[]) =>
  `${fields.map(csvField).join(',')}\r\n`;

/**
 * One attempt as the `attempts` column writes it:
 * `target_kind:target_id:route_id:code:cause:pdd_ms:uri` (null as empty). The URI comes last:
 * it holds colons and semicolons of its own, so attempts are separated by `|` (never in a SIP URI
 * unescaped) and a reader splits an attempt at its first six colons.
 */
export function attemptText(a: CdrAttempt): string {
  return [a.target_kind, a.target_id, a.route_id ?? '', a.code, a.cause, a.pdd_ms ?? '', a.uri].join(':');
}

/** The export's columns in order (docs/cdrs.md), each with how it is read from a record. */
const RECORD_COLUMNS: readonly [string, (r: Cdr) => string | number | null][] = [
  ['id', (r) => r.id],
  ['call_id', (r) => r.call_id],
  ['customer_id', (r) => r.customer_id],
  ['direction', (r) => r.direction],
  ['source_kind', (r) => r.source.kind],
  ['source_id', (r) => r.source.id],
  ['source_ip', (r) => r.source.ip],
  ['source_port', (r) => r.source.port],
  ['source_transport', (r) => r.source.transport],
  ['caller', (r) => r.caller],
  ['callee', (r) => r.callee],
  ['caller_received', (r) => r.caller_received],
  ['callee_received', (r) => r.callee_received],
  ['did', (r) => r.did],
  ['final_code', (r) => r.final_code],
  ['reason', (r) => r.reason],
  ['refused', (r) => r.refused],
  ['tm_invite', (r) => r.tm_invite],
  ['tm_ringing', (r) => r.tm_ringing],
  ['tm_answer', (r) => r.tm_answer],
  ['tm_end', (r) => r.tm_end],
  ['duration_s', (r) => r.duration_s],
  ['billsec', (r) => r.billsec],
  ['end_by', (r) => r.end_by],
  ['end_reason', (r) => r.end_reason],
  ['media_anchored', (r) => String(r.media_anchored)],
  ['attempt_count', (r) => r.attempts.length],
  ['attempts', (r) => r.attempts.map(attemptText).join('|')],
  ['relay_id', (r) => r.relay_id],
];

/** The rating's columns, after the record's: empty when a side is unrated (or the record predates rating). */
const RATING_COLUMNS: readonly [string, (r: CdrRating | null) => string | null][] = [
  ['cost_amount', (r) => r?.cost?.amount ?? null],
  ['cost_currency', (r) => r?.cost?.currency ?? null],
  ['price_amount', (r) => r?.price?.amount ?? null],
  ['price_currency', (r) => r?.price?.currency ?? null],
];

export const CDR_CSV_COLUMNS = [...RECORD_COLUMNS, ...RATING_COLUMNS].map(([name]) => name);

/** The header line of the export. */
export const cdrCsvHeader = () => csvLine(CDR_CSV_COLUMNS);

/** One call (and its rating, as `audience` sees it: a customer's `cost_*` columns are empty) as one CSV line. */
export const cdrCsvLine = (
  record: Cdr,
  rating: CdrRating | null = null,
  audience: CdrAudience = 'operator',
) => {
  const shown = ratingFor(rating, audience);
  return csvLine([
    ...RECORD_COLUMNS.map(([, read]) => read(record)),
    ...RATING_COLUMNS.map(([, read]) => read(shown)),
  ]);
};
