/**
 * The relay as its own process for the benchmark, so its CPU and memory are
 * measured apart from the API/decision (which run in the harness process).
 * argv[2]: the startRelay config as JSON. Prints `ready <udp port>`; answers
 * IPC `heap` with `{ heapUsed }` after a full GC (run with --expose-gc).
 */
import { startRelay } from '../../edge-relay/service';

const relay = await startRelay({ ...JSON.parse(process.argv[2] ?? '{}'), logLevel: 'silent' });
process.on('message', (message) => {
  if (message !== 'heap') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ heapUsed: process.memoryUsage().heapUsed });
});
process.once('SIGTERM', () => {
  void relay.stop().then(() => process.exit(0));
});
console.log(`ready ${relay.ports.udp}`);
