export type LogLimiterOptions = {
  /** Lines allowed per key (source address) in one window. */
  perWindow: number;
  windowMs: number;
  /**
   * Keys tracked at most (a spoofed-source flood must not grow memory nor the log): once full,
   * new keys share one bucket, `OVERFLOW_KEY`, so the log stays bounded by (maxKeys + 1) × perWindow
   * lines per window.
   */
  maxKeys?: number;
};

/** The bucket of the keys that found the table full. */
export const OVERFLOW_KEY = '*';

/** Lines a key had suppressed in a window that is over. */
export type Suppressed = { key: string; suppressed: number };

type Window = { start: number; lines: number; suppressed: number };

/**
 * Per-key log rate limit over fixed windows: at most `perWindow` lines per key and window, the
 * rest counted. The count comes back once, as a summary the caller logs, either with the key's
 * next allowed line (`take`) or from `sweep` after its window closed, whichever comes first.
 * Pure state over an injected clock.
 *
 * @example
 * const limiter = createLogLimiter({ perWindow: 5, windowMs: 60_000 });
 * const before = limiter.take('198.51.100.9', Date.now());
 * if (before >= 0) { if (before > 0) log.info('suppressed', { n: before }); log.info('refused'); }
 * for (const s of limiter.sweep(Date.now())) log.info('suppressed', { source: s.key, n: s.suppressed });
 */
export function createLogLimiter(options: LogLimiterOptions) {
  const { perWindow, windowMs, maxKeys = 10_000 } = options;
  const windows = new Map<string, Window>();
  return {
    /**
     * One event for `key`: -1 when its line must be suppressed, otherwise the number of lines
     * suppressed in the key's previous window not reported yet (usually 0), to log first.
     */
    take(key: string, now: number): number {
      let k = key;
      let w = windows.get(k);
      if (!w && windows.size >= maxKeys) {
        k = OVERFLOW_KEY;
        w = windows.get(k);
      }
      if (!w || now - w.start >= windowMs) {
        const before = w?.suppressed ?? 0;
        if (w) windows.delete(k); // re-inserted last: the table stays ordered by window start
        windows.set(k, { start: now, lines: 1, suppressed: 0 });
        return before;
      }
      if (w.lines < perWindow) {
        w.lines += 1;
        return 0;
      }
      w.suppressed += 1;
      return -1;
    },
    /** Forgets the windows that are over; the ones with suppressed lines come back for a summary. */
    sweep(now: number): Suppressed[] {
      const closed: Suppressed[] = [];
      for (const [key, w] of windows) {
        if (now - w.start < windowMs) break; // ordered by start: the rest are younger
        windows.delete(key);
        if (w.suppressed > 0) closed.push({ key, suppressed: w.suppressed });
      }
      return closed;
    },
    /** Keys tracked right now. */
    size(): number {
      return windows.size;
    },
  };
}
