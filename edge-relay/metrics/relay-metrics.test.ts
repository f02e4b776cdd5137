import { describe, expect, it } from 'vitest';
import { createRelayEvents } from '../events';
import { renderPrometheus } from './prometheus-text';
import { createRelayMetrics } from './relay-metrics';

const gauges = { callsInProgress: 0, dialogs: 0, bannedSources: 0, overloaded: false, draining: false };

describe('relay metrics', () => {
  it('counts refused INVITEs by code and reason; odd reasons become other', () => {
    const metrics = createRelayMetrics(createRelayEvents());
    try {
      metrics.rejected(403, 'unknown_source');
      metrics.rejected(403, 'unknown_source');
      metrics.rejected(403, 'auth_failed');
      metrics.rejected(503, 'overload');
      metrics.rejected(null, 'flood');
      metrics.rejected(404, 'No Route "x"');
      const text = renderPrometheus(metrics.families(gauges));
      const lines = text.split('\n').filter((l) => l.startsWith('tandem_relay_rejects_total{'));
      expect(lines).toEqual([
        'tandem_relay_rejects_total{code="403",reason="unknown_source"} 2',
        'tandem_relay_rejects_total{code="403",reason="auth_failed"} 1',
        'tandem_relay_rejects_total{code="503",reason="overload"} 1',
        'tandem_relay_rejects_total{code="none",reason="flood"} 1',
        'tandem_relay_rejects_total{code="404",reason="other"} 1',
      ]);
      expect(text).toContain('# TYPE tandem_relay_rejects_total counter');
    } finally {
      metrics.close();
    }
  });
});
