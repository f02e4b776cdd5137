import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { cdrRecord } from '../../contract/cdr.fixture';
import { attemptText, CDR_CSV_COLUMNS, cdrCsvHeader, cdrCsvLine, csvField, csvLine } from './csv';

/** What a spreadsheet or any RFC 4180 reader makes of the export (csv-parse). */
const parseCsv = (text: string): string[][] => parse(text, { relax_column_count: true });

describe('csvField (RFC 4180)', () => {
  it('leaves plain text alone and writes null as empty', () => {
    expect(csvField('+4930123456')).toBe('+4930123456');
    expect(csvField(200)).toBe('200');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('');
  });

  it('quotes commas, quotes, CR and LF, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });

  it('round-trips through an RFC 4180 reader', () => {
    const values = ['plain', 'a,b', '"quoted"', 'multi\r\nline', '', ' spaced ', 'ü😀'];
    expect(parseCsv(csvLine(values))).toEqual([values]);
  });
});

describe('cdr CSV lines', () => {
  it('writes one line per call in the documented columns, attempts in one column', () => {
    const record = cdrRecord({ at: '2026-12-05T10:00:00.000Z', caller: 'Alice, "the boss"' });
    const second = {
      ...record.attempts[0]!,
      code: 503,
      cause: 'response' as const,
      pdd_ms: null,
      route_id: null,
    };
    record.attempts = [second, ...record.attempts];
    const [header, line] = parseCsv(cdrCsvHeader() + cdrCsvLine(record));
    expect(header).toEqual(CDR_CSV_COLUMNS);
    const row = Object.fromEntries(header!.map((name, i) => [name, line![i]]));
    expect(row).toMatchObject({
      id: record.id,
      caller: 'Alice, "the boss"',
      final_code: '200',
      refused: '',
      tm_invite: '2026-12-05T10:00:00.000Z',
      duration_s: '65',
      billsec: '63',
      media_anchored: 'true',
      attempt_count: '2',
      attempts: `provider:${second.target_id}::503:response::${second.uri}|${attemptText(record.attempts[1]!)}`,
    });
    expect(line).toHaveLength(CDR_CSV_COLUMNS.length);
  });

  it('an unanswered call bills 0 s', () => {
    const record = cdrRecord({ final_code: 486, tm_answer: null, end_by: null, end_reason: null });
    const row = parseCsv(cdrCsvLine(record))[0]!;
    expect(row[CDR_CSV_COLUMNS.indexOf('billsec')]).toBe('0');
    expect(row[CDR_CSV_COLUMNS.indexOf('duration_s')]).toBe('65');
    expect(row[CDR_CSV_COLUMNS.indexOf('tm_answer')]).toBe('');
  });

  it('ends with the cost and price (amount, currency), empty when unrated', () => {
    const record = cdrRecord();
    const side = (amount: string, currency: string) => ({
      prefix: '+82',
      rate: '0.02',
      connect_fee: '0',
      first_increment_s: 60,
      next_increment_s: 60,
      minimum_s: 0,
      effective_from: null,
      amount,
      currency,
      billed_s: 120,
    });
    const rating = {
      provider_id: record.attempts[0]!.target_id,
      cost: side('0.034', 'EUR'),
      cost_unrated_reason: null,
      rate_plan_id: null,
      price: null,
      price_unrated_reason: 'no_rate_plan' as const,
    };
    expect(CDR_CSV_COLUMNS.slice(-4)).toEqual([
      'cost_amount',
      'cost_currency',
      'price_amount',
      'price_currency',
    ]);
    expect(parseCsv(cdrCsvLine(record, rating))[0]!.slice(-4)).toEqual(['0.034', 'EUR', '', '']);
    expect(parseCsv(cdrCsvLine(record, { ...rating, price: side('0.05', 'USD') }))[0]!.slice(-2)).toEqual([
      '0.05',
      'USD',
    ]);
    expect(parseCsv(cdrCsvLine(record))[0]!.slice(-4)).toEqual(['', '', '', '']);
    // A customer key's export has its price, never the cost.
    const priced = { ...rating, price: side('0.05', 'USD') };
    expect(parseCsv(cdrCsvLine(record, priced, 'customer'))[0]!.slice(-4)).toEqual(['', '', '0.05', 'USD']);
  });
});
