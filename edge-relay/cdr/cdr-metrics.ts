import { gauge } from '../metrics/metric-types';
import type { MetricFamily } from '../metrics/prometheus-text';
import type { CdrHealth } from './cdr-health';
import { SPOOL_LEVEL_VALUE } from './spool-level';

/**
 * The CDR families of `/metrics`, read from the sink's state at scrape time; pure. Labels are
 * bounded: three reasons, and HTTP statuses or `network` / `timeout`.
 */
export function cdrMetricFamilies(health: CdrHealth): MetricFamily[] {
  return [
    gauge('tandem_cdr_spool_bytes', 'Bytes of CDR segments on disk, not sent yet.', health.spoolBytes),
    gauge(
      'tandem_cdr_spool_cap_bytes',
      'Spool size at which new calls are refused (503) until records leave.',
      health.capBytes,
    ),
    gauge(
      'tandem_cdr_spool_level',
      '0 ok, 1 filling (80 % of the cap), 2 full (new calls refused).',
      SPOOL_LEVEL_VALUE[health.level],
    ),
    gauge('tandem_cdr_pending_segments', 'Sealed spool segments waiting to be sent.', health.pendingSegments),
    {
      name: 'tandem_cdr_spooled_total',
      help: 'CDRs written and fsynced to the spool.',
      type: 'counter',
      samples: [{ value: health.spooled }],
    },
    {
      name: 'tandem_cdr_shipped_total',
      help: 'CDRs the API acknowledged (stored).',
      type: 'counter',
      samples: [{ value: health.shipped }],
    },
    {
      name: 'tandem_cdr_rejected_total',
      help: 'CDR lines set aside in rejected/: unreadable (not JSON, torn), invalid (not a CDR), refused_by_api (400/413).',
      type: 'counter',
      samples: Object.entries(health.rejected).map(([reason, value]) => ({ labels: { reason }, value })),
    },
    {
      name: 'tandem_cdr_ship_failures_total',
      help: 'Failed POST /v1/cdrs, by HTTP status, network or timeout.',
      type: 'counter',
      samples: Object.entries(health.failures).map(([status, value]) => ({ labels: { status }, value })),
    },
  ];
}
