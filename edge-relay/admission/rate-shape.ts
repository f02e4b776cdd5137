/**
 * `max_cps` as the generic cell rate algorithm (GCRA) reads it: one call every `intervalUs`, with
 * a burst tolerance of one interval or a tenth of a second, whichever is longer, so calls arriving
 * together (PBXs and load generators send in bursts, clocks tick in milliseconds) are not refused
 * while the rate holds. Over any window of W seconds at most `max_cps × (W + 0.1) + 1` calls pass.
 * Microseconds, whole: Redis's Lua keeps numbers as doubles, exact for integers up to 2^53.
 */
/** The shortest burst tolerance: a tenth of a second's worth of calls. */
const BURST_US = 100_000;

export type RateShape = { intervalUs: number; toleranceUs: number };

export function rateShape(maxCps: number): RateShape {
  const intervalUs = Math.max(1, Math.round(1_000_000 / maxCps));
  return { intervalUs, toleranceUs: Math.max(intervalUs, BURST_US) };
}

/**
 * One call against a theoretical arrival time `tat` (0 when none yet): whether it passes, and the
 * new `tat` when it does. Pure; redis-admission.ts runs the same arithmetic in Lua.
 *
 * @example
 * const shape = rateShape(10); // one call every 100 ms
 * gcra(0, now, shape); // { allowed: true, tat: now + 100_000 }
 */
export function gcra(tat: number, nowUs: number, shape: RateShape): { allowed: boolean; tat: number } {
  const base = Math.max(tat, nowUs);
  if (base - nowUs > shape.toleranceUs) return { allowed: false, tat };
  return { allowed: true, tat: base + shape.intervalUs };
}
