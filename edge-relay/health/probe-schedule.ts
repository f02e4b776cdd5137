import type { HealthTarget } from '../../contract/health';

export type ProbeSchedule = {
  /** Starts probing a target: the first probe within one interval, then one every `interval_s`. */
  start(target: HealthTarget): void;
  stop(providerId: string): void;
  stopAll(): void;
};

/**
 * When the leader probes: one timer per target. First probes are spread over one interval, so a
 * site with many providers does not probe them in bursts. A probe still waiting for its answer
 * when the next is due delays that one (never two probes of a provider at once: their results
 * could arrive out of order). The target is looked up at each probe, so new settings apply at
 * the next one.
 *
 * @example
 * const schedule = createProbeSchedule((id) => targets.get(id), (target) => probeAndApply(target));
 * schedule.start(target); schedule.stopAll();
 */
export function createProbeSchedule(
  targetOf: (providerId: string) => HealthTarget | undefined,
  probe: (target: HealthTarget) => Promise<void>,
): ProbeSchedule {
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<string>();

  const at = (id: string, delayMs: number) => {
    clearTimeout(timers.get(id));
    const timer = setTimeout(() => void run(id), delayMs);
    timer.unref();
    timers.set(id, timer);
  };
  const run = async (id: string) => {
    const target = targetOf(id);
    if (!target) {
      timers.delete(id);
      return;
    }
    at(id, target.interval_s * 1000);
    if (inFlight.has(id)) return;
    inFlight.add(id);
    try {
      await probe(target);
    } finally {
      inFlight.delete(id);
    }
  };

  return {
    start: (target) => at(target.provider_id, Math.random() * target.interval_s * 1000),
    stop(id) {
      clearTimeout(timers.get(id));
      timers.delete(id);
    },
    stopAll() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
