export type LoadMonitor = {
  /** Whether to refuse this new INVITE (503): never while the relay keeps up, more often the further behind it runs. */
  shed(): boolean;
  /** True while some new INVITEs are refused. */
  overloaded(): boolean;
  /** How long the latest UDP probe waited in the socket before it was read (transport probe). */
  observeQueueDelay(ms: number): void;
  stop(): void;
};

/**
 * Overload control. A relay that takes more calls than its CPU can carry falls behind:
 * datagrams wait in the kernel's receive buffer (it holds seconds of SIP), 100 Trying come
 * late, callers retransmit, and nearly every call fails (measured: 1,500 cps offered to a relay
 * good for ~1,000 answered with p99 16 s and 1,110 failed calls). Two measures of "behind":
 * how long the transport's probe datagram waited to be read, and how late a timer ticking
 * every `tickMs` ran. From half the threshold on, a share of new INVITEs gets 503 +
 * Retry-After at once (cheap: no decision, no branch; callers fail over to another relay),
 * growing to all of them at 1.5 × the threshold: the relay settles where what it admits is
 * what it can carry, instead of swinging between taking all and refusing all.
 *
 * @example
 * const load = createLoadMonitor({ thresholdMs: 250, onChange: (on, lagMs) => log.warn('overload', { on, lagMs }) });
 * if (load.shed()) reject(503);
 */
export function createLoadMonitor(options: {
  thresholdMs: number;
  tickMs?: number;
  /** An overload episode begins, or ends after a second without refusing (for the log). */
  onChange?: (overloaded: boolean, lagMs: number) => void;
  random?: () => number;
}): LoadMonitor {
  const { thresholdMs, tickMs = 20, onChange, random = Math.random } = options;
  if (thresholdMs <= 0)
    return { shed: () => false, overloaded: () => false, observeQueueDelay: () => {}, stop: () => {} };
  let tickLag = 0;
  let queueDelay = 0;
  let share = 0;
  let episode = false;
  let calmSince = 0;
  const update = (now: number) => {
    const lag = Math.max(tickLag, queueDelay);
    share = Math.min(1, Math.max(0, (lag - thresholdMs / 2) / thresholdMs));
    if (share > 0) {
      calmSince = 0;
      if (!episode) {
        episode = true;
        onChange?.(true, Math.round(lag));
      }
    } else if (episode) {
      calmSince ||= now;
      if (now - calmSince >= 1000) {
        episode = false;
        onChange?.(false, Math.round(lag));
      }
    }
  };
  let expected = performance.now() + tickMs;
  const timer = setInterval(() => {
    const now = performance.now();
    tickLag = Math.max(0, now - expected);
    expected = now + tickMs;
    update(now);
  }, tickMs);
  timer.unref();
  return {
    shed: () => share > 0 && random() < share,
    overloaded: () => share > 0,
    observeQueueDelay(ms) {
      queueDelay = ms;
      update(performance.now());
    },
    stop: () => clearInterval(timer),
  };
}
