import { Counter, Registry } from 'prom-client';
import { scrapeGauge } from '../metrics/scrape-time';

/** What provider health holds when Prometheus scrapes. */
export type HealthView = {
  /** The health targets (provider ids of the configuration). */
  providers: readonly string[];
  /** What this relay holds down now. */
  down: ReadonlySet<string>;
  leader: boolean;
};

/**
 * Provider health in the relay's Prometheus metrics, in a registry of its own that `/metrics`
 * merges with the relay's. Labels are provider ids of the configuration (few by construction).
 * Probes and marks are counted by the relay that made them (the leader, for a site's state
 * changes): summing a site's relays gives the site's figures.
 *
 * @example
 * const metrics = createHealthMetrics(() => ({ providers: ['p1'], down: new Set(['p1']), leader: true }));
 * metrics.probed('p1', true); metrics.markedDown('p1', 'probe');
 * await metrics.registry.metrics();
 */
export function createHealthMetrics(view: () => HealthView) {
  const registry = new Registry();
  scrapeGauge(
    registry,
    'tandem_provider_up',
    'Whether this relay holds the provider up (1) or down (0): the site state it last read, with its own passive marks.',
    ['provider'],
    () => {
      const { providers, down } = view();
      return providers.map((provider) => ({ labels: { provider }, value: down.has(provider) ? 0 : 1 }));
    },
  );
  const probes = new Counter({
    name: 'tandem_provider_probes_total',
    help: 'SIP OPTIONS probes sent by this relay while it led its site, by provider and result (alive, failed).',
    labelNames: ['provider', 'result'],
    registers: [registry],
  });
  const markedDown = new Counter({
    name: 'tandem_provider_marked_down_total',
    help: "The site's provider state going down, counted by the leading relay, by provider and cause (probe, attempts).",
    labelNames: ['provider', 'by'],
    registers: [registry],
  });
  scrapeGauge(
    registry,
    'tandem_health_leader',
    'Whether this relay is the one of its site that probes providers and reports their status (1) or not (0).',
    [],
    () => [{ value: view().leader ? 1 : 0 }],
  );
  return {
    registry,
    probed(provider: string, alive: boolean): void {
      probes.inc({ provider, result: alive ? 'alive' : 'failed' });
    },
    markedDown(provider: string, by: 'probe' | 'attempts'): void {
      markedDown.inc({ provider, by });
    },
  };
}

export type HealthMetrics = ReturnType<typeof createHealthMetrics>;
