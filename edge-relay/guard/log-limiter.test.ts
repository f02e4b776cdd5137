import { describe, expect, it } from 'vitest';
import { createLogLimiter, OVERFLOW_KEY } from './log-limiter';

describe('log limiter', () => {
  it('allows perWindow lines per key, then suppresses and counts', () => {
    const limiter = createLogLimiter({ perWindow: 3, windowMs: 1000 });
    expect([0, 1, 2, 3, 4].map((t) => limiter.take('a', t))).toEqual([0, 0, 0, -1, -1]);
    // Another key has its own budget.
    expect(limiter.take('b', 5)).toBe(0);
  });

  it("reports the suppressed count with the key's next allowed line", () => {
    const limiter = createLogLimiter({ perWindow: 1, windowMs: 1000 });
    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('a', 10)).toBe(-1);
    expect(limiter.take('a', 20)).toBe(-1);
    expect(limiter.take('a', 1000)).toBe(2); // new window: log "2 suppressed", then the line
    expect(limiter.take('a', 1001)).toBe(-1);
    expect(limiter.take('a', 2000)).toBe(1);
    expect(limiter.take('a', 3000)).toBe(0);
  });

  it('sweeps closed windows once: their summaries, and forgets every closed key', () => {
    const limiter = createLogLimiter({ perWindow: 1, windowMs: 1000 });
    limiter.take('quiet', 0);
    limiter.take('loud', 100);
    limiter.take('loud', 200);
    limiter.take('loud', 300);
    limiter.take('young', 900);
    limiter.take('young', 950);
    expect(limiter.sweep(999)).toEqual([]);
    expect(limiter.sweep(1100)).toEqual([{ key: 'loud', suppressed: 2 }]);
    expect(limiter.size()).toBe(1); // quiet and loud forgotten, young still in its window
    expect(limiter.sweep(1100)).toEqual([]);
    // Reported by the sweep: not again with the next line.
    expect(limiter.take('loud', 1200)).toBe(0);
    expect(limiter.sweep(5000)).toEqual([
      { key: 'young', suppressed: 1 },
      // loud's new window had no suppressed line: forgotten silently
    ]);
    expect(limiter.size()).toBe(0);
  });

  it('keeps windows ordered by start when a key starts a new one', () => {
    const limiter = createLogLimiter({ perWindow: 1, windowMs: 1000 });
    limiter.take('a', 0);
    limiter.take('b', 500);
    limiter.take('a', 1200); // a's second window starts after b's
    limiter.take('a', 1300);
    limiter.take('b', 600);
    // b's window closes at 1500, a's at 2200: b is found although a was inserted first.
    expect(limiter.sweep(1600)).toEqual([{ key: 'b', suppressed: 1 }]);
    expect(limiter.sweep(2300)).toEqual([{ key: 'a', suppressed: 1 }]);
  });

  it('bounds memory and lines under a spoofed-source flood: new keys share one bucket once full', () => {
    const limiter = createLogLimiter({ perWindow: 2, windowMs: 1000, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) expect(limiter.take(key, 0)).toBe(0);
    const allowed = Array.from({ length: 100 }, (_, i) => limiter.take(`spoofed-${i}`, 1)).filter(
      (n) => n >= 0,
    );
    expect(allowed).toHaveLength(2);
    expect(limiter.size()).toBe(4);
    // A tracked key keeps its own budget.
    expect(limiter.take('a', 2)).toBe(0);
    expect(limiter.sweep(1001)).toEqual([{ key: OVERFLOW_KEY, suppressed: 98 }]);
    expect(limiter.size()).toBe(0);
  });
});
