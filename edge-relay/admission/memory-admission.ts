import type { Admission, AdmissionScope, Refusal } from './admission';
import { gcra, rateShape } from './rate-shape';

export type MemoryCounters = {
  /** As Admission.admit, synchronously; `share` scales every limit (1 = the whole limit). */
  admit(member: string, scopes: readonly AdmissionScope[], share: number, nowUs: number): Refusal | undefined;
  /** Counts leases taken elsewhere (the site's Redis), so a fallback to local counts starts from them. */
  hold(member: string, keys: readonly string[]): void;
  release(member: string, keys: readonly string[]): void;
};

/**
 * The counts of one process: the leases of live calls per scope and each scope's GCRA state.
 * A relay without Redis counts here with the whole limits; a relay whose Redis is unreachable
 * counts here with its share of them (redis-admission.ts).
 */
export function createMemoryCounters(): MemoryCounters {
  const leases = new Map<string, Set<string>>();
  const tats = new Map<string, number>();
  const hold = (member: string, key: string) => {
    const held = leases.get(key);
    if (held) held.add(member);
    else leases.set(key, new Set([member]));
  };
  return {
    admit(member, scopes, share, nowUs) {
      const next: number[] = [];
      for (const { key, limits } of scopes) {
        const max = limits.max_concurrent_calls;
        if (max !== null) {
          const held = leases.get(key);
          const cap = Math.max(1, Math.floor(max * share));
          if (held && !held.has(member) && held.size >= cap) return { key, limit: 'max_concurrent_calls' };
        }
        if (limits.max_cps !== null) {
          const passed = gcra(tats.get(key) ?? 0, nowUs, rateShape(limits.max_cps * share));
          if (!passed.allowed) return { key, limit: 'max_cps' };
          next.push(passed.tat);
        } else next.push(0);
      }
      scopes.forEach(({ key, limits }, i) => {
        if (limits.max_concurrent_calls !== null) hold(member, key);
        if (limits.max_cps !== null) tats.set(key, next[i]!);
      });
      return undefined;
    },
    hold(member, keys) {
      for (const key of keys) hold(member, key);
    },
    release(member, keys) {
      for (const key of keys) {
        const held = leases.get(key);
        if (!held?.delete(member)) continue;
        if (held.size === 0) leases.delete(key);
      }
    },
  };
}

/**
 * Admission of a relay alone (no Redis): every limit holds in this process.
 *
 * @example
 * const admission = createMemoryAdmission();
 * await admission.admit(recordId, [{ key: 'provider:…', limits: { max_concurrent_calls: 2, max_cps: null } }]);
 */
export function createMemoryAdmission(now: () => number = Date.now): Admission {
  const counters = createMemoryCounters();
  return {
    admit: async (member, scopes) => counters.admit(member, scopes, 1, now() * 1000),
    release: (member, keys) => counters.release(member, keys),
    mode: () => 'local',
    close: async () => {},
  };
}
