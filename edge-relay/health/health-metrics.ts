import { createCounter, gauge } from '../metrics/metric-types';
import type { MetricFamily } from '../metrics/prometheus-text';

/**
 * Provider health in the relay's Prometheus metrics. Labels are provider ids of the configuration
 * (few by construction). Probes and marks are counted by the relay that made them (the leader, for
 * a site's state changes): summing a site's relays gives the site's figures.
 *
 * @example
 * const metrics = createHealthMetrics();
 * metrics.probed('p1', true); metrics.markedDown('p1', 'probe');
 * metrics.families(['p1'], new Set(['p1']), true);
 */
export function createHealthMetrics() {
  const probes = createCounter(
    'tandem_provider_probes_total',
    'SIP OPTIONS probes sent by this relay while it led its site, by provider and result (alive, failed).',
  );
  const markedDown = createCounter(
    'tandem_provider_marked_down_total',
    "The site's provider state going down, counted by the leading relay, by provider and cause (probe, attempts).",
  );
  return {
    probed(provider: string, alive: boolean): void {
      probes.inc({ provider, result: alive ? 'alive' : 'failed' });
    },
    markedDown(provider: string, by: 'probe' | 'attempts'): void {
      markedDown.inc({ provider, by });
    },
    /** `providers`: the health targets; `down`: what this relay holds down now. */
    families(providers: readonly string[], down: ReadonlySet<string>, leader: boolean): MetricFamily[] {
      return [
        {
          name: 'tandem_provider_up',
          help: 'Whether this relay holds the provider up (1) or down (0): the site state it last read, with its own passive marks.',
          type: 'gauge',
          samples: providers.map((provider) => ({ labels: { provider }, value: down.has(provider) ? 0 : 1 })),
        },
        probes.family(),
        markedDown.family(),
        gauge(
          'tandem_health_leader',
          'Whether this relay is the one of its site that probes providers and reports their status (1) or not (0).',
          leader ? 1 : 0,
        ),
      ];
    },
  };
}

export type HealthMetrics = ReturnType<typeof createHealthMetrics>;
