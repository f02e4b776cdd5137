/**
 * The relay as its own process for the benchmark, so its CPU and memory are
 * measured apart from the API/decision (which run in the harness process).
 * argv[2]: the startRelay config as JSON. Prints `ready <udp port>`; answers
 * IPC `heap` with `{ heapUsed }` after a full GC (run with --expose-gc).
 * BENCH_RELAY_LOG_LEVEL (default silent) writes the relay's JSON log to stderr.
 */
import type { LogLevel } from '../../edge-relay/log';
import { createLogger } from '../../edge-relay/log';
import { startRelay } from '../../edge-relay/service';

const level = (process.env['BENCH_RELAY_LOG_LEVEL'] ?? 'silent') as LogLevel;
const relay = await startRelay(
  { ...JSON.parse(process.argv[2] ?? '{}'), logLevel: level },
  { logger: createLogger(level, (line) => process.stderr.write(line)) },
);
process.on('message', (message) => {
  if (message !== 'heap') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ heapUsed: process.memoryUsage().heapUsed });
});
process.once('SIGTERM', () => {
  void relay.stop().then(() => process.exit(0));
});
console.log(`ready ${relay.ports.udp}`);
