export type LoadMonitor = {
  /** Whether to refuse this new INVITE (503): never while the relay keeps up, more often the further behind it runs. */
  shed(): boolean;
  /** Counts one datagram read from the SIP socket (to tell a drained socket from a backlog). */
  received(): void;
  /** True while some new INVITEs are refused. */
  overloaded(): boolean;
  stop(): void;
};

/** libuv reads at most this many datagrams from a socket per event-loop turn; fewer means it was drained. */
const READS_PER_TURN = 32;

/**
 * Overload control. A relay offered more calls than its CPU carries falls behind: datagrams
 * wait in the kernel's receive buffer (it holds seconds of SIP), 100 Trying come late,
 * callers retransmit, and nearly every call fails (measured: 1,500 cps offered to a relay good
 * for ~1,000 gave p99 INVITE→200 16.9 s with a third of the calls unfinished). Two signs:
 * - saturation: libuv reads up to 32 datagrams per event-loop turn, so a turn that read fewer
 *   emptied the socket. Once no turn has emptied it for `saturatedMs` (1 s: busy without a
 *   pause that long is more than a burst; at 850 cps 300 ms of it happened with p99 92 ms),
 *   every further `windowMs` without one raises the share of new INVITEs refused by `step`,
 *   and every window that empties it lowers the share again, so the relay settles at what it
 *   can carry;
 * - a stall: a timer ticking every `tickMs` runs late; from half of `thresholdMs` a share of
 *   new INVITEs, all of them at 1.5 ×.
 * Refused INVITEs get 503 + Retry-After at once (cheap: no decision, no branch; callers fail
 * over to another relay). Neither sign depends on how busy the machine is: a relay preempted
 * by its neighbours but still draining its socket refuses nothing. (A probe datagram through
 * the socket measured the queue directly but cost calls a few ms at p90; CPU utilisation
 * refused calls at 500 cps on a contended machine.)
 *
 * @example
 * const load = createLoadMonitor({ thresholdMs: 300, onChange: (on, lagMs) => log.warn('overload', { on, lagMs }) });
 * socket.on('message', () => load.received());
 * if (load.shed()) reject(503);
 */
export function createLoadMonitor(options: {
  thresholdMs: number;
  tickMs?: number;
  windowMs?: number;
  /** Change of the backlog share per window. */
  step?: number;
  /** How long the socket must go undrained before calls are refused (a burst is not an overload). */
  saturatedMs?: number;
  /** An overload episode begins, or ends after a second without refusing (for the log). */
  onChange?: (overloaded: boolean, lagMs: number) => void;
  random?: () => number;
}): LoadMonitor {
  const {
    thresholdMs,
    tickMs = 20,
    windowMs = 100,
    step = 0.1,
    saturatedMs = 1000,
    onChange,
    random = Math.random,
  } = options;
  const off = { shed: () => false, received: () => {}, overloaded: () => false, stop: () => {} };
  if (thresholdMs <= 0) return off;
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  // Datagrams read in the current turn; a turn ends at the next check phase (setImmediate).
  let inTurn = 0;
  let turnOpen = false;
  let turns = 0;
  let drained = false;
  const endTurn = () => {
    turnOpen = false;
    turns += 1;
    if (inTurn < READS_PER_TURN) drained = true;
    inTurn = 0;
  };
  let backlogShare = 0;
  // How long the socket has not been drained: a preemption of a few tens of ms is no overload.
  let backlogMs = 0;
  let share = 0;
  let episode = false;
  let calmSince = 0;
  let sinceWindow = 0;
  let expected = performance.now() + tickMs;
  const timer = setInterval(() => {
    const now = performance.now();
    const lag = Math.max(0, now - expected);
    expected = now + tickMs;
    sinceWindow += tickMs + lag;
    if (sinceWindow >= windowMs) {
      backlogMs = turns > 0 && !drained ? backlogMs + sinceWindow : 0;
      if (turns === 0) backlogShare = 0;
      else if (drained) backlogShare = clamp(backlogShare - step);
      else if (backlogMs >= saturatedMs) backlogShare = clamp(backlogShare + step);
      sinceWindow = 0;
      turns = 0;
      drained = false;
    }
    share = Math.max(backlogShare, clamp((lag - thresholdMs / 2) / thresholdMs));
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
  }, tickMs);
  timer.unref();
  return {
    shed: () => share > 0 && random() < share,
    received() {
      inTurn += 1;
      if (turnOpen) return;
      turnOpen = true;
      setImmediate(endTurn);
    },
    overloaded: () => share > 0,
    stop: () => clearInterval(timer),
  };
}
