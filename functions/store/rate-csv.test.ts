import { describe, expect, it } from 'vitest';
import { parseRateCsv } from './rate-csv';

describe('parseRateCsv', () => {
  it('reads lines with or without header, + and effective date', () => {
    expect(parseRateCsv('prefix,rate,effective_date\r\n+8210,0.012\n82,0.02,2026-12-01\n\n')).toEqual({
      lines: [
        { prefix: '+8210', rate: 0.012, effective_date: null },
        { prefix: '+82', rate: 0.02, effective_date: '2026-12-01' },
      ],
      errors: [],
      errorCount: 0,
    });
  });

  it.each([
    ['+82', '(line)', 'must be prefix,rate[,effective_date]'],
    ['+8x,0.1', 'prefix', 'must be + followed by 1 to 15 digits'],
    ['+82,abc', 'rate', 'must be a number from 0 to 1000000'],
    ['+82,-1', 'rate', 'must be a number from 0 to 1000000'],
    ['+82,0.1,2026-13-45', 'effective_date', expect.any(String)],
    ['+82,0.1,x,y', '(line)', 'must be prefix,rate[,effective_date]'],
  ])('%s fails on %s', (row, field, message) => {
    expect(parseRateCsv(`prefix,rate\n${row}\n`).errors).toEqual([{ line: 2, field, message }]);
  });

  it('ignores a byte order mark before the header', () => {
    expect(parseRateCsv('\uFEFFprefix,rate\n+1,0.5').lines).toEqual([
      { prefix: '+1', rate: 0.5, effective_date: null },
    ]);
  });

  it('reports duplicates with the first line', () => {
    expect(parseRateCsv('+82,1\n+1,2\n82,3').errors).toEqual([
      { line: 3, field: 'prefix', message: 'duplicates line 1' },
    ]);
  });
});
