import { join } from 'node:path';
import type { RelayConfig } from '../config';
import { apiBaseOf } from '../decision/api-base';
import type { BackoffSettings } from './ship-policy';

/** The path of `POST /v1/cdrs`. */
export const CDRS_PATH = '/v1/cdrs';

/** Everything the sink needs, resolved from the relay's config (units the code uses: bytes, ms). */
export type CdrSinkSettings = {
  url: string;
  token: string;
  spoolDir: string;
  capBytes: number;
  fsyncMs: number;
  segmentBytes: number;
  sealMs: number;
  batchSize: number;
  backoff: BackoffSettings;
  timeoutMs: number;
};

/**
 * Where CDRs go when `TANDEM_CDR_URL` is not set: the API that serves the decision. A decision URL
 * ending in `/v1/routing/decide` keeps its prefix (`https://host/tandem/v1/routing/decide` →
 * `https://host/tandem/v1/cdrs`); any other gets `/v1/cdrs` at its origin. In AWS the decision has
 * its own function URL, which does not serve `/v1/cdrs`: set TANDEM_CDR_URL there.
 *
 * @example
 * defaultCdrUrl('http://127.0.0.1:8080/v1/routing/decide'); // 'http://127.0.0.1:8080/v1/cdrs'
 */
export function defaultCdrUrl(decideUrl: string): string {
  return `${apiBaseOf(decideUrl)}${CDRS_PATH}`;
}

/**
 * The sink's settings from the relay config; pure.
 *
 * @example
 * const sink = await createCdrSink(cdrSinkSettings(config), { log });
 */
export function cdrSinkSettings(
  config: Pick<RelayConfig, 'cdr' | 'dataDir' | 'decideUrl' | 'relayToken'>,
): CdrSinkSettings {
  const { cdr } = config;
  return {
    url: cdr.url ?? defaultCdrUrl(config.decideUrl),
    token: config.relayToken,
    spoolDir: cdr.spoolDir ?? join(config.dataDir, 'cdr-spool'),
    capBytes: cdr.capMb * 1024 * 1024,
    fsyncMs: cdr.fsyncMs,
    segmentBytes: cdr.segmentBytes,
    sealMs: cdr.sealMs,
    batchSize: cdr.batchSize,
    backoff: { minMs: cdr.backoffMinMs, maxMs: cdr.backoffMaxMs },
    timeoutMs: cdr.timeoutMs,
  };
}
