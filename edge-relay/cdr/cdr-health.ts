import type { CdrShipperState } from './cdr-shipper';
import type { CdrSpoolState } from './cdr-spool';
import { refusesCalls, type SpoolLevel } from './spool-level';

/**
 * The sink's state for /healthz and /metrics: the spool (size against the cap), the shipper
 * (what waits, the last success and failure) and the counts since the start.
 */
export type CdrHealth = {
  level: SpoolLevel;
  spoolBytes: number;
  capBytes: number;
  segments: number;
  /** Records whose `record()` resolved (on disk) since the start. */
  spooled: number;
} & CdrShipperState;

export function cdrHealth(spool: CdrSpoolState, shipper: CdrShipperState, spooled: number): CdrHealth {
  return {
    level: spool.level,
    spoolBytes: spool.bytes,
    capBytes: spool.capBytes,
    segments: spool.segments,
    spooled,
    ...shipper,
  };
}

/**
 * The `cdr` object of `GET /healthz`.
 *
 * @example
 * startHttpEndpoint({ …, detail: () => cdrHealthDetail(sink.health()) });
 */
export function cdrHealthDetail(health: CdrHealth): Record<string, unknown> {
  return {
    cdr: {
      level: health.level,
      spool_bytes: health.spoolBytes,
      cap_bytes: health.capBytes,
      pending_segments: health.pendingSegments,
      last_shipped_at: health.lastShippedAt === null ? null : new Date(health.lastShippedAt).toISOString(),
      last_error: health.lastError,
      consecutive_failures: health.consecutiveFailures,
    },
  };
}

/** Why /healthz answers 503 for CDRs: a full spool, while the relay refuses new calls. */
export function cdrUnhealthy(health: CdrHealth): string | false {
  return refusesCalls(health.spoolBytes, health.capBytes) ? 'cdr spool full' : false;
}
