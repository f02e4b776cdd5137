import { describe, expect, it } from 'vitest';
import { cdr, cdrBatch } from './cdr';
import { cdrRecord } from './cdr.fixture';

const issues = (value: unknown) => {
  const parsed = cdr.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
};

describe('cdr contract', () => {
  it('takes an answered call, an unanswered one and a call refused before any customer', () => {
    expect(issues(cdrRecord())).toEqual([]);
    expect(issues(cdrRecord({ final_code: 486, tm_answer: null, end_by: null }))).toEqual([]);
    const refused = cdrRecord({
      customer_id: null,
      direction: null,
      attempts: [],
      final_code: 403,
      tm_answer: null,
      end_by: null,
      refused: 'unknown_source',
    });
    expect(issues({ ...refused, source: { ...refused.source, kind: null, id: null } })).toEqual([]);
  });

  it('wants times as toISOString writes them (UTC, milliseconds)', () => {
    const r = cdrRecord();
    expect(issues({ ...r, tm_invite: '2026-12-05T10:00:00Z' })).toEqual(['tm_invite']);
    expect(issues({ ...r, tm_invite: '2026-12-05T11:00:00.000+01:00' })).toEqual(['tm_invite']);
  });

  it('refuses times out of order and an answer time on a call that was not answered', () => {
    const r = cdrRecord({ at: '2026-12-05T10:00:00.000Z' });
    const early = { tm_end: '2026-12-05T09:59:59.999Z', tm_answer: null, billsec: 0, duration_s: 0 };
    expect(issues({ ...r, ...early })).toEqual(['tm_end', 'duration_s']);
    expect(issues({ ...r, billsec: r.billsec + 1 })).toEqual(['billsec']);
    expect(issues({ ...r, duration_s: r.duration_s - 0.5 })).toEqual(['duration_s']);
    expect(issues({ ...r, tm_answer: '2026-12-05T09:00:00.000Z' })).toEqual(['billsec', 'tm_answer']);
    expect(issues({ ...r, final_code: 503 })).toEqual(['tm_answer']);
  });

  it('holds 1–500 records per batch', () => {
    expect(cdrBatch.safeParse({ cdrs: [] }).success).toBe(false);
    expect(cdrBatch.safeParse({ cdrs: Array.from({ length: 500 }, () => cdrRecord()) }).success).toBe(true);
    expect(cdrBatch.safeParse({ cdrs: Array.from({ length: 501 }, () => cdrRecord()) }).success).toBe(false);
  });
});
