import { describe, expect, it } from 'vitest';
import { cdrRecord } from '../../contract/cdr.fixture';
import { parseSegment } from './segment-lines';

describe('parseSegment', () => {
  it('keeps valid records as written and sets aside garbage, off-contract and torn lines', () => {
    const [a, b] = [cdrRecord(), cdrRecord()];
    const offContract = JSON.stringify({ ...cdrRecord(), final_code: 42 });
    const text = [JSON.stringify(a), 'not json at all +4930123456', offContract, '', JSON.stringify(b)]
      .join('\n')
      .concat('\n{"id":"torn');
    const { records, setAside } = parseSegment(text);
    expect(records.map((r) => [r.line, r.record.id])).toEqual([
      [1, a.id],
      [5, b.id],
    ]);
    expect(records[0]!.text).toBe(JSON.stringify(a));
    expect(setAside.map((l) => [l.line, l.kind])).toEqual([
      [2, 'unreadable'],
      [3, 'invalid'],
      [6, 'unreadable'],
    ]);
    expect(setAside[1]!.reason).toMatch(/^not a CDR: final_code/);
    expect(setAside[2]!.reason).toBe('torn line (no newline)');
    // Reasons are logged: they never quote the line.
    expect(setAside.map((l) => l.reason).join(' ')).not.toContain('4930123456');
  });

  it('keeps fields this version does not know, for the API to judge', () => {
    const line = JSON.stringify({ ...cdrRecord(), rating: { cost: 1 } });
    expect(parseSegment(`${line}\n`).records[0]?.text).toBe(line);
  });

  it('keeps a last line cut just before its newline when it is still a whole record', () => {
    const [a, b] = [cdrRecord(), cdrRecord()];
    const { records, setAside } = parseSegment(`${JSON.stringify(a)}\n${JSON.stringify(b)}`);
    expect(records.map((r) => r.record.id)).toEqual([a.id, b.id]);
    expect(setAside).toEqual([]);
  });

  it('reads an empty segment as nothing', () => {
    expect(parseSegment('')).toEqual({ records: [], setAside: [] });
  });
});
