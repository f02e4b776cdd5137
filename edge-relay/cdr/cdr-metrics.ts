import type { Registry } from 'prom-client';
import { scrapeCounter, scrapeGauge } from '../metrics/scrape-time';
import type { CdrHealth } from './cdr-health';
import { SPOOL_LEVEL_VALUE } from './spool-level';

/**
 * The CDR families of `/metrics`, read from the sink's state at scrape time (nothing is updated
 * per record). Labels are bounded: three reasons, and HTTP statuses or `network` / `timeout`.
 *
 * @example
 * registerCdrMetrics(registry, () => sink.health());
 */
export function registerCdrMetrics(registry: Registry, health: () => CdrHealth): void {
  const one = (read: (h: CdrHealth) => number) => () => [{ value: read(health()) }];
  scrapeGauge(
    registry,
    'tandem_cdr_spool_bytes',
    'Bytes of CDR segments on disk, not sent yet.',
    [],
    one((h) => h.spoolBytes),
  );
  scrapeGauge(
    registry,
    'tandem_cdr_spool_cap_bytes',
    'Spool size at which new calls are refused (503) until records leave.',
    [],
    one((h) => h.capBytes),
  );
  scrapeGauge(
    registry,
    'tandem_cdr_spool_level',
    '0 ok, 1 filling (80 % of the cap), 2 full (new calls refused).',
    [],
    one((h) => SPOOL_LEVEL_VALUE[h.level]),
  );
  scrapeGauge(
    registry,
    'tandem_cdr_pending_segments',
    'Sealed spool segments waiting to be sent.',
    [],
    one((h) => h.pendingSegments),
  );
  scrapeCounter(
    registry,
    'tandem_cdr_spooled_total',
    'CDRs written and fsynced to the spool.',
    [],
    one((h) => h.spooled),
  );
  scrapeCounter(
    registry,
    'tandem_cdr_shipped_total',
    'CDRs the API acknowledged (stored).',
    [],
    one((h) => h.shipped),
  );
  scrapeCounter(
    registry,
    'tandem_cdr_rejected_total',
    'CDR lines set aside in rejected/: unreadable (not JSON, torn), invalid (not a CDR), refused_by_api (400/413).',
    ['reason'],
    () => Object.entries(health().rejected).map(([reason, value]) => ({ labels: { reason }, value })),
  );
  scrapeCounter(
    registry,
    'tandem_cdr_ship_failures_total',
    'Failed POST /v1/cdrs, by HTTP status, network or timeout.',
    ['status'],
    () => Object.entries(health().failures).map(([status, value]) => ({ labels: { status }, value })),
  );
}
