/**
 * The answered calls this relay carries: the ones it set up and the ones it adopted from the
 * site's Redis (their in-dialog requests now reach it). Drain waits for them and /metrics shows the
 * oldest one's age. Not the dialog store's `size()`: with Redis the store keeps its in-memory copy
 * of a call another relay ended until the dialog's lifetime, and counts entries past that lifetime
 * until the next expiry check; here an entry past the lifetime is no longer counted.
 *
 * A relay learns of a call's end only when the end passes through it (BYE, expiry): a call of
 * this relay whose BYE another relay of the site routed stays counted until its lifetime.
 *
 * @example
 * const held = createHeldDialogs(43_200_000, Date.now());
 * held.hold(dialog.call_id, dialog.started_at); held.count(Date.now()); // 1
 */
export function createHeldDialogs(ttlMs: number, base: number) {
  // Call-ID → answer time minus `base`: a small integer V8 keeps inline (no boxed number per call).
  // Keys are the dialog store's own strings where the caller has them (no copy per call).
  const held = new Map<string, number>();
  const expired = (startedAt: number, at: number) => startedAt + base + ttlMs <= at;
  return {
    hold(callId: string, startedAt: number): void {
      held.set(callId, startedAt - base);
    },
    release(callId: string): void {
      held.delete(callId);
    },
    has: (callId: string): boolean => held.has(callId),
    /** Calls held at `at`; those past the dialog lifetime are forgotten on the way. */
    count(at: number): number {
      for (const [callId, startedAt] of held) if (expired(startedAt, at)) held.delete(callId);
      return held.size;
    },
    /** The Call-IDs held at `at` (`GET /calls`); those past the dialog lifetime are forgotten on the way. */
    callIds(at: number): string[] {
      const ids: string[] = [];
      for (const [callId, startedAt] of held) {
        if (expired(startedAt, at)) held.delete(callId);
        else ids.push(callId);
      }
      return ids;
    },
    /** Age (ms) of the oldest call held at `at`; 0 with none. */
    oldestAgeMs(at: number): number {
      let oldest = Number.POSITIVE_INFINITY;
      for (const [callId, startedAt] of held) {
        if (expired(startedAt, at)) held.delete(callId);
        else if (startedAt < oldest) oldest = startedAt;
      }
      return oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, at - (oldest + base));
    },
  };
}

export type HeldDialogs = ReturnType<typeof createHeldDialogs>;
