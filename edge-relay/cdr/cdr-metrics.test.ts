import { describe, expect, it } from 'vitest';
import { createRelayEvents } from '../events';
import { createRelayMetrics } from '../metrics/relay-metrics';
import { sampleCdrHealth as health } from './cdr-test-kit.fixture';

const gauges = { callsInProgress: 0, dialogs: 0, bannedSources: 0, overloaded: false, draining: false };

describe('CDR metrics', () => {
  it('are rendered from the sink at scrape time once registered', async () => {
    const metrics = createRelayMetrics(createRelayEvents());
    try {
      expect(await metrics.render(gauges)).not.toContain('tandem_cdr_');
      let current = health;
      metrics.watchCdr(() => current);
      const text = await metrics.render(gauges);
      const cdrLines = text.split('\n').filter((l) => l.startsWith('tandem_cdr_'));
      expect(cdrLines).toEqual([
        'tandem_cdr_spool_bytes 2048',
        `tandem_cdr_spool_cap_bytes ${1024 * 1024}`,
        'tandem_cdr_spool_level 0',
        'tandem_cdr_pending_segments 1',
        'tandem_cdr_spooled_total 10',
        'tandem_cdr_shipped_total 8',
        'tandem_cdr_rejected_total{reason="unreadable"} 1',
        'tandem_cdr_rejected_total{reason="invalid"} 0',
        'tandem_cdr_rejected_total{reason="refused_by_api"} 2',
        'tandem_cdr_ship_failures_total{status="503"} 3',
        'tandem_cdr_ship_failures_total{status="network"} 1',
      ]);
      expect(text).toContain('# TYPE tandem_cdr_rejected_total counter');
      current = { ...health, level: 'full' };
      expect(await metrics.render(gauges)).toContain('tandem_cdr_spool_level 2');
    } finally {
      metrics.close();
    }
  });
});
