import type { Cdr } from '../../contract/cdr';

/** The widest window one stats request reads: its cost is every CDR in it (docs/console.md). */
export const MAX_STATS_WINDOW_S = 3600;

export type CallBucket = { start: string; calls: number; answered: number; rejected: number };
export type ProviderStats = {
  provider_id: string;
  attempts: number;
  answered: number;
  /** Answered attempts ÷ attempts (answer-seizure ratio); null without attempts. */
  asr: number | null;
  /** Mean post-dial delay of the attempts that got a provisional answer, ms; null without one. */
  pdd_ms: number | null;
};
export type CallStats = {
  from: string;
  to: string;
  bucket_s: number;
  buckets: CallBucket[];
  rejects_by_reason: { reason: string; count: number }[];
  providers: ProviderStats[];
};

/**
 * Why a call is counted as rejected, or null when it is not: refused by the relay or the decision
 * (`refused`), else a final answer of 300 or more.
 */
export function rejectReason(cdr: Pick<Cdr, 'refused' | 'final_code' | 'reason'>): string | null {
  if (cdr.refused !== null) return cdr.refused;
  if (cdr.final_code >= 300) return `${cdr.final_code} ${cdr.reason}`.trim();
  return null;
}

/**
 * Calls per bucket of `bucket_s` seconds over `[from, to)` (by `tm_invite`), rejects by reason, and
 * per provider the attempts, the answer-seizure ratio and the mean post-dial delay.
 *
 * @example
 * callStats(cdrs, { from: '2026-12-05T10:00:00.000Z', to: '2026-12-05T11:00:00.000Z', bucketS: 60 });
 */
export function callStats(
  cdrs: Iterable<Cdr>,
  window: { from: string; to: string; bucketS: number },
): CallStats {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  const size = window.bucketS * 1000;
  const buckets: CallBucket[] = [];
  for (let t = from; t < to; t += size) {
    buckets.push({ start: new Date(t).toISOString(), calls: 0, answered: 0, rejected: 0 });
  }
  const reasons = new Map<string, number>();
  const providers = new Map<string, { attempts: number; answered: number; pddSum: number; pddN: number }>();
  for (const cdr of cdrs) {
    const at = Date.parse(cdr.tm_invite);
    const bucket = buckets[Math.floor((at - from) / size)];
    if (at < from || at >= to || !bucket) continue;
    bucket.calls += 1;
    if (cdr.tm_answer !== null) bucket.answered += 1;
    const reason = rejectReason(cdr);
    if (reason !== null) {
      bucket.rejected += 1;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    for (const attempt of cdr.attempts) {
      if (attempt.target_kind !== 'provider') continue;
      const p = providers.get(attempt.target_id) ?? { attempts: 0, answered: 0, pddSum: 0, pddN: 0 };
      p.attempts += 1;
      if (attempt.code >= 200 && attempt.code < 300) p.answered += 1;
      if (attempt.pdd_ms !== null) {
        p.pddSum += attempt.pdd_ms;
        p.pddN += 1;
      }
      providers.set(attempt.target_id, p);
    }
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bucket_s: window.bucketS,
    buckets,
    rejects_by_reason: [...reasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    providers: [...providers]
      .map(([provider_id, p]) => ({
        provider_id,
        attempts: p.attempts,
        answered: p.answered,
        asr: p.attempts > 0 ? p.answered / p.attempts : null,
        pdd_ms: p.pddN > 0 ? Math.round(p.pddSum / p.pddN) : null,
      }))
      .sort((a, b) => a.provider_id.localeCompare(b.provider_id)),
  };
}
