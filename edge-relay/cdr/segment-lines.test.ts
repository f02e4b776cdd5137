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
    expect(records.map((r) => [r.line, JSON.parse(r.text).id])).toEqual([
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
    expect(records.map((r) => JSON.parse(r.text).id)).toEqual([a.id, b.id]);
    expect(setAside).toEqual([]);
  });

  it('takes the whole lines of a segment written here as they are, and still checks a torn last line', () => {
    const a = cdrRecord();
    const offContract = JSON.stringify({ ...cdrRecord(), final_code: 42 });
    const { records, setAside } = parseSegment(`${JSON.stringify(a)}\n${offContract}\n{"id":"torn`, {
      writtenHere: true,
    });
    expect(records.map((r) => r.text)).toEqual([JSON.stringify(a), offContract]);
    expect(setAside.map((l) => [l.line, l.reason])).toEqual([[3, 'torn line (no newline)']]);
  });

  it('reads an empty segment as nothing', () => {
    expect(parseSegment('')).toEqual({ records: [], setAside: [] });
  });
});
