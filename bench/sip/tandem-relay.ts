/**
 * The relay as its own process for the benchmarks (bench:sip, bench:media), so
 * its CPU and memory are measured apart. argv[2]: the startRelay config as
 * JSON; the media anchor is the one the runner would build from the
 * environment (`TANDEM_RTPENGINE`: rtpengine, none: unanchored). Prints
 * `ready <udp port>`; answers IPC `heap` with `{ heapUsed }` after a full GC
 * (run with --expose-gc). BENCH_RELAY_LOG_LEVEL (default `info`, as deployed; `silent`: none) writes the
 * relay's JSON log to its stdout as the runner does (edge-relay/log.ts: batched, off the event
 * loop), which the benchmark reads; BENCH_RELAY_CONFIG (JSON) overrides startRelay settings.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLevel } from '../../edge-relay/log';
import { createLogger } from '../../edge-relay/log';
import { createMediaAnchor } from '../../edge-relay/media/create-media-anchor';
import { startRelay } from '../../edge-relay/service';
import { loadMediaSettings } from '../../edge-relay/settings/media-settings';

const level = (process.env['BENCH_RELAY_LOG_LEVEL'] ?? 'info') as LogLevel;
const media = await createMediaAnchor(loadMediaSettings(process.env));
const base = JSON.parse(process.argv[2] ?? '{}');
// BENCH_RELAY_CONFIG: startRelay settings to change, e.g. '{"overloadLagMs":0}' or '{"cdr":{"fsyncMs":200}}'.
const override = JSON.parse(process.env['BENCH_RELAY_CONFIG'] ?? '{}');
const relay = await startRelay(
  {
    // The CDR spool and dialog journal as deployed (written and fsynced), in a folder of its own.
    dataDir: mkdtempSync(join(tmpdir(), 'tandem-bench-relay-')),
    ...base,
    ...override,
    // The CDR stand-in's URL stays whatever else an override changes in the section.
    cdr: { ...base.cdr, ...override.cdr, ...(base.cdr?.url ? { url: base.cdr.url } : {}) },
    logLevel: level,
  },
  { logger: createLogger(level), media },
);
process.on('message', (message) => {
  if (message !== 'heap') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ heapUsed: process.memoryUsage().heapUsed });
});
process.once('SIGTERM', () => {
  void relay
    .stop()
    .then(() => media.close())
    .then(() => process.exit(0));
});
console.log(`ready ${relay.ports.udp}`);
