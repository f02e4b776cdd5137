import { describe, expect, it } from 'vitest';
import { cdrRecord } from '../../contract/cdr.fixture';
import { callStats, rejectReason } from './call-stats';

const window = { from: '2026-12-05T10:00:00.000Z', to: '2026-12-05T10:03:00.000Z', bucketS: 60 };

describe('callStats', () => {
  it('counts calls, answers and rejects per bucket by INVITE time, leaving out calls outside the window', () => {
    const stats = callStats(
      [
        cdrRecord({ at: '2026-12-05T10:00:05.000Z' }),
        cdrRecord({ at: '2026-12-05T10:01:59.999Z' }),
        cdrRecord({
          at: '2026-12-05T10:01:10.000Z',
          refused: 'no_route',
          final_code: 404,
          reason: 'Not Found',
          tm_ringing: null,
          tm_answer: null,
          attempts: [],
        }),
        cdrRecord({ at: '2026-12-05T10:03:00.000Z' }),
        cdrRecord({ at: '2026-12-05T09:59:59.999Z' }),
      ],
      window,
    );
    expect(stats.buckets).toEqual([
      { start: '2026-12-05T10:00:00.000Z', calls: 1, answered: 1, rejected: 0 },
      { start: '2026-12-05T10:01:00.000Z', calls: 2, answered: 1, rejected: 1 },
      { start: '2026-12-05T10:02:00.000Z', calls: 0, answered: 0, rejected: 0 },
    ]);
    expect(stats.rejects_by_reason).toEqual([{ reason: 'no_route', count: 1 }]);
  });

  it('gives each provider its attempts, answer-seizure ratio and mean post-dial delay', () => {
    const base = cdrRecord({ providerId: 'p-a' }).attempts[0]!;
    const failed = { ...base, target_id: 'p-a', code: 503, pdd_ms: 100 };
    const answered = { ...base, target_id: 'p-b', code: 200, pdd_ms: 300 };
    const stats = callStats(
      [
        cdrRecord({ at: '2026-12-05T10:00:01.000Z', attempts: [failed, answered] }),
        cdrRecord({ at: '2026-12-05T10:00:02.000Z', attempts: [{ ...answered, pdd_ms: null }] }),
      ],
      window,
    );
    expect(stats.providers).toEqual([
      { provider_id: 'p-a', attempts: 1, answered: 0, asr: 0, pdd_ms: 100 },
      { provider_id: 'p-b', attempts: 2, answered: 2, asr: 1, pdd_ms: 300 },
    ]);
  });

  it('reads a refusal first, then a final answer of 300 or more, as the reject reason', () => {
    expect(rejectReason({ refused: 'overload', final_code: 503, reason: 'Service Unavailable' })).toBe(
      'overload',
    );
    expect(rejectReason({ refused: null, final_code: 486, reason: 'Busy Here' })).toBe('486 Busy Here');
    expect(rejectReason({ refused: null, final_code: 200, reason: 'OK' })).toBeNull();
  });
});
