import type { Cdr } from '../../contract/cdr';
import type { DurableFs } from '../disk/durable-fs';
import type { Logger } from '../log';
import { type CdrHealth, cdrHealth } from './cdr-health';
import type { CdrSinkSettings } from './cdr-settings';
import { type CdrShipper, startCdrShipper } from './cdr-shipper';
import { openCdrSpool } from './cdr-spool';
import { refusesCalls } from './spool-level';

export type CdrSinkDeps = {
  log: Logger;
  fetch?: typeof fetch;
  fs?: DurableFs;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
};

export type CdrSink = {
  /**
   * Resolves once the record is on disk (fsynced); rejects with SpoolFullError at the cap, or with
   * the file system's error. The shipper sends it afterwards.
   */
  record(cdr: Cdr): Promise<void>;
  /**
   * True from 95 % of the cap: the relay refuses new calls (503) until the spool drains, and the
   * calls already up keep room for their records (the spool refuses records at 100 %).
   */
  refusesCalls(): boolean;
  health(): CdrHealth;
  /** Writes what is pending, seals the active segment, stops the shipper; unsent segments stay for the next start. */
  close(): Promise<void>;
};

/**
 * Where the relay's CDRs go: the durable spool, and the shipper that empties it into
 * `POST /v1/cdrs`. Opening seals what a previous run left open; the shipper then sends every
 * sealed segment on disk (the replay).
 *
 * @example
 * const cdrs = await createCdrSink(cdrSinkSettings(config), { log });
 * if (cdrs.refusesCalls()) refuse503(); else await cdrs.record(record);
 */
export async function createCdrSink(settings: CdrSinkSettings, deps: CdrSinkDeps): Promise<CdrSink> {
  let shipper: CdrShipper | undefined;
  /** Segments this process wrote in full and sealed, not deleted by the shipper yet. */
  const sealedHere = new Set<string>();
  const spool = await openCdrSpool({
    dir: settings.spoolDir,
    capBytes: settings.capBytes,
    fsyncMs: settings.fsyncMs,
    segmentBytes: settings.segmentBytes,
    sealMs: settings.sealMs,
    log: deps.log,
    onSeal: (segment, whole) => {
      if (whole) sealedHere.add(segment);
      shipper?.kick();
    },
    ...(deps.fs ? { fs: deps.fs } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  shipper = startCdrShipper({
    dir: settings.spoolDir,
    url: settings.url,
    token: settings.token,
    batchSize: settings.batchSize,
    backoff: settings.backoff,
    timeoutMs: settings.timeoutMs,
    log: deps.log,
    onDeleted: (segment, bytes) => {
      sealedHere.delete(segment);
      spool.release(bytes);
    },
    writtenHere: (segment) => sealedHere.has(segment),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.fs ? { fs: deps.fs } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });
  const running = shipper;
  let spooled = 0;
  const opened = spool.state();
  const target = new URL(settings.url);
  deps.log.info('cdr spool open', {
    dir: settings.spoolDir,
    url: `${target.origin}${target.pathname}`, // never user:password of a URL
    bytes: opened.bytes,
    cap_bytes: opened.capBytes,
    segments: opened.segments,
    spool_level: opened.level,
  });
  return {
    async record(cdr: Cdr): Promise<void> {
      await spool.append(cdr);
      spooled += 1;
    },
    refusesCalls: () => {
      const { bytes, capBytes } = spool.state();
      return refusesCalls(bytes, capBytes);
    },
    health: () => cdrHealth(spool.state(), running.state(), spooled),
    async close(): Promise<void> {
      await spool.close();
      await running.stop();
    },
  };
}
