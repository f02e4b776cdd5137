import { describe, expect, it } from 'vitest';
import { MAX_LINES_PER_PREFIX, parseRateCsv } from './rate-csv';

const defaults = {
  connect_fee: '0',
  first_increment_s: 60,
  next_increment_s: 60,
  minimum_s: 0,
  effective_from: null,
};

describe('parseRateCsv', () => {
  it('reads full lines and fills the columns left out or empty with their defaults', () => {
    expect(
      parseRateCsv(
        'prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from\r\n' +
          '+4420,0.015,0.02,30,6,10,2027-01-01T00:00:00Z\n' +
          '8210,0.0120\n' +
          '+1,0.005,,1,1\n\n',
      ),
    ).toEqual({
      lines: [
        {
          prefix: '+4420',
          rate: '0.015',
          connect_fee: '0.02',
          first_increment_s: 30,
          next_increment_s: 6,
          minimum_s: 10,
          effective_from: '2027-01-01T00:00:00.000Z',
        },
        { prefix: '+8210', rate: '0.012', ...defaults },
        { ...defaults, prefix: '+1', rate: '0.005', first_increment_s: 1, next_increment_s: 1 },
      ],
      errors: [],
      errorCount: 0,
    });
  });

  it('reads rates as decimal strings, never through a float', () => {
    const { lines } = parseRateCsv('+1,0.000001\n+2,123456789012.5\n+3,0.1,0.000003\n');
    expect(lines.map((l) => [l.rate, l.connect_fee])).toEqual([
      ['0.000001', '0'],
      ['123456789012.5', '0'],
      ['0.1', '0.000003'],
    ]);
  });

  it('a header names the columns in any order; the older prefix,rate,effective_date reads as before', () => {
    expect(parseRateCsv('rate,prefix,effective_from\n0.02,+82,2027-01-01\n').lines).toEqual([
      { ...defaults, prefix: '+82', rate: '0.02', effective_from: '2027-01-01T00:00:00.000Z' },
    ]);
    expect(parseRateCsv('prefix,rate,effective_date\n+8210,0.012\n82,0.02,2026-12-01\n').lines).toEqual([
      { ...defaults, prefix: '+8210', rate: '0.012' },
      { ...defaults, prefix: '+82', rate: '0.02', effective_from: '2026-12-01T00:00:00.000Z' },
    ]);
  });

  it('a prefix repeats with different effective_from (an offset is the same instant in UTC)', () => {
    const { lines, errors } = parseRateCsv(
      '+33,0.01\n+33,0.02,0,60,60,0,2027-01-01T01:00:00+01:00\n+33,0.03,,,,,2027-02-01\n',
    );
    expect(errors).toEqual([]);
    expect(lines.map((l) => [l.rate, l.effective_from])).toEqual([
      ['0.01', null],
      ['0.02', '2027-01-01T00:00:00.000Z'],
      ['0.03', '2027-02-01T00:00:00.000Z'],
    ]);
  });

  it('the same prefix and effective_from twice is an error naming the earlier line', () => {
    expect(
      parseRateCsv('+82,1\n+1,2\n82,3\n+1,2,0,60,60,0,2027-01-01\n+1,3,0,60,60,0,2027-01-01T00:00:00Z\n')
        .errors,
    ).toEqual([
      { line: 3, field: 'prefix', message: 'repeats line 1: the same prefix with the same effective_from' },
      {
        line: 5,
        field: 'effective_from',
        message: 'repeats line 4: the same prefix with the same effective_from',
      },
    ]);
  });

  it.each([
    ['+82', 'rate', 'is required'],
    ['+8x,0.1', 'prefix', expect.stringContaining('1 to 15 digits')],
    ['+82,abc', 'rate', expect.stringContaining('decimal number')],
    ['+82,-1', 'rate', 'must not be negative'],
    ['+82,1e-3', 'rate', expect.stringContaining('decimal number')],
    ['+82,0.0000001', 'rate', expect.stringContaining('at most 6 decimal places')],
    ['+82,0.1,0.1234567', 'connect_fee', expect.stringContaining('at most 6 decimal places')],
    ['+82,0.1,0,0', 'first_increment_s', 'must be a whole number of seconds from 1 to 3600'],
    ['+82,0.1,0,60,1.5', 'next_increment_s', 'must be a whole number of seconds from 1 to 3600'],
    ['+82,0.1,0,60,60,3601', 'minimum_s', 'must be a whole number of seconds from 0 to 3600'],
    ['+82,0.1,0,60,60,0,2026-02-30', 'effective_from', expect.stringContaining('ISO 8601')],
    ['+82,0.1,0,60,60,0,2027-01-01T00:00:00', 'effective_from', expect.stringContaining('offset')],
    ['+82,0.1,0,60,60,0,x,y', '(line)', expect.stringContaining('at most 7')],
  ])('%s fails on %s', (row, field, message) => {
    expect(
      parseRateCsv(
        `prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from\n${row}\n`,
      ).errors,
    ).toEqual([{ line: 2, field, message }]);
  });

  it('names every bad field of a line', () => {
    expect(parseRateCsv('+82,0.12345678,x,0\n').errors.map((e) => e.field)).toEqual([
      'rate',
      'connect_fee',
      'first_increment_s',
    ]);
  });

  it('refuses the older three columns without their header, saying why', () => {
    expect(parseRateCsv('+82,0.02,2026-12-01\n').errors).toEqual([
      { line: 1, field: 'connect_fee', message: expect.stringContaining('header line') },
    ]);
  });

  it('a header with an unknown or repeated column, or without rate, is refused', () => {
    expect(parseRateCsv('prefix,price\n+1,1\n').errors[0]).toMatchObject({ line: 1, field: '(header)' });
    expect(parseRateCsv('prefix,rate,rate\n+1,1\n').errors[0]).toMatchObject({ line: 1, field: '(header)' });
    expect(parseRateCsv('prefix,connect_fee\n+1,1\n').errors[0]).toMatchObject({
      line: 1,
      field: '(header)',
    });
    // Fewer columns than a header names is fine; more is not.
    expect(parseRateCsv('prefix,rate\n+1,1,0\n').errors).toEqual([
      { line: 2, field: '(line)', message: expect.stringContaining('(the header line)') },
    ]);
  });

  it('ignores a byte order mark before the header', () => {
    expect(parseRateCsv('\uFEFFprefix,rate\n+1,0.5').lines).toEqual([
      { ...defaults, prefix: '+1', rate: '0.5' },
    ]);
  });

  it(`holds at most ${MAX_LINES_PER_PREFIX} lines per prefix`, () => {
    const rows = Array.from(
      { length: MAX_LINES_PER_PREFIX + 1 },
      (_, i) => `+33,0.01,0,60,60,0,${new Date(Date.UTC(2027, 0, 1 + i)).toISOString()}`,
    );
    expect(parseRateCsv(rows.join('\n')).errors).toEqual([
      { line: MAX_LINES_PER_PREFIX + 1, field: 'prefix', message: expect.stringContaining('more than') },
    ]);
  });
});
