import { ATTEMPT_WINDOW_BUCKETS, type AttemptCounts, type ProviderState } from './health-rules';
import { addCounts, type HealthStore } from './health-store';

/**
 * The site's provider health in this relay's memory: a relay without Redis is a site of its own,
 * always its leader. Same contract as the Redis store, so provider-health.ts has one code path.
 */
export function createMemoryHealthStore(): HealthStore {
  const states = new Map<string, ProviderState>();
  const passive = new Map<string, number>();
  const marks = new Map<string, string>();
  const buckets = new Map<number, Map<string, AttemptCounts>>();
  let tokens = 0;

  const setMark = (id: string) => {
    tokens += 1;
    marks.set(id, String(tokens));
  };

  return {
    lead: async () => true,
    resign: async () => {},
    read: async () => ({ states: new Map(states), marks: new Map(marks) }),
    async commit({ states: written, removed, merged }) {
      for (const [id, state] of written) states.set(id, state);
      for (const id of removed) {
        states.delete(id);
        passive.delete(id);
        marks.delete(id);
      }
      for (const [id, token] of merged) if (marks.get(id) === token) marks.delete(id);
      return true;
    },
    async attemptFailed(id, threshold) {
      const count = (passive.get(id) ?? 0) + 1;
      if (count < threshold) {
        passive.set(id, count);
        return false;
      }
      passive.delete(id);
      setMark(id);
      return true;
    },
    async attemptAnswered(id) {
      passive.delete(id);
    },
    async mark(id) {
      setMark(id);
    },
    async addAttempts(bucket, counts) {
      let into = buckets.get(bucket);
      if (!into) {
        into = new Map();
        buckets.set(bucket, into);
        // Buckets older than the window are of no use to any report.
        const oldest = bucket - ATTEMPT_WINDOW_BUCKETS;
        for (const b of buckets.keys()) if (b < oldest) buckets.delete(b);
      }
      for (const [id, add] of counts) addCounts(into, id, add);
    },
    async attempts(from, to) {
      const out = new Map<string, AttemptCounts>();
      for (const [bucket, counts] of buckets) {
        if (bucket < from || bucket > to) continue;
        for (const [id, add] of counts) addCounts(out, id, add);
      }
      return out;
    },
    close: async () => {},
  };
}
