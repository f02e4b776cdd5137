/**
 * `npm run bench:sip:core`: the relay's own JavaScript per call, without
 * sockets, sipp or HTTP: the synthetic calls a relay warms up with
 * (edge-relay/runtime/synthetic-calls.ts: the pieces startRelay wires around a
 * transport that records what would be sent, and a decision that parses a
 * fixed JSON answer with the contract). One call = INVITE in, 100 + INVITE out, 200 in, 200 out, ACK
 * in and out, BYE in and out, 200 in and out, as in the sipp benchmark.
 *
 *   npm run bench:sip:core -- [--calls 20000] [--rounds 3] [--limits] [--log off|sync|async]
 *
 * --limits: the decision sets limits on the IPBX, the customer and both providers (high enough
 * never to refuse), so every call takes and gives back its leases (in-memory admission).
 *
 * --log: the relay's lines at `info` into a pipe (a `cat` child, as a log collector reads
 * stdout): `async` through the relay's own writer (edge-relay/log.ts, off the event loop),
 * `sync` one write(2) per line on the relay's thread (what process.stdout does on a pipe), `off`
 * (default) none. CPU per call counts every thread; wall per call is the relay thread's path.
 *
 * Prints µs of CPU (process.cpuUsage, main thread + GC helpers) per call,
 * the driver's own message building and checking included (about 60 µs of it
 * in a profile). Kernel costs of the real sockets (~6 UDP sends per call), the
 * HTTP exchange and the wake-ups of a process fed by sockets are not in it:
 * under sipp the same relay spends 2–3× this per call.
 *
 * Then the heap kept per call (retainedPerCall below), completed and still
 * answered; the history of both figures is in docs/performance.md.
 */

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, type Logger, offThreadWriter } from '../../edge-relay/log';
import { createSyntheticCalls } from '../../edge-relay/runtime/synthetic-calls';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    limits: { type: 'boolean', default: false },
    log: { type: 'string', default: 'off' },
  },
});

/** The write end of a pipe a `cat` child reads to /dev/null, as a log collector reads stdout. */
function logPipe(): number {
  const fifo = join(mkdtempSync(join(tmpdir(), 'tandem-bench-log-')), 'log');
  execFileSync('mkfifo', [fifo]);
  spawn('sh', ['-c', `exec cat "${fifo}" > /dev/null`], { stdio: 'ignore' }).unref();
  return openSync(fifo, 'w');
}

function benchLogger(mode: string): Logger {
  if (mode === 'off') return createLogger('silent');
  const fd = logPipe();
  if (mode === 'sync') return createLogger('info', (line) => writeSync(fd, line));
  if (mode === 'async') return createLogger('info', offThreadWriter(fd));
  throw new Error(`--log ${mode}: off, sync or async`);
}

const synthetic = createSyntheticCalls({ log: benchLogger(values.log), limits: values.limits });
const ctx = synthetic.ctx;

/** Set for the held-calls figure: calls stop after the ACK (answered, never hung up). */
let holdOnly = false;
const call = (n: number) => synthetic.call(n, holdOnly);

const settle = () => new Promise<void>((r) => setImmediate(r));

/** CPU of the driver's own awaits (subtracted; its message building stays in, see above). */
async function harnessOnly(n: number): Promise<void> {
  for (let i = 0; i < 5; i++) await settle();
  void n;
}

let next = 0;

/**
 * Heap kept per call after a full GC (needs --expose-gc), measured on calls that just happened:
 * a completed call while its transactions linger (64*T1, RFC 6026; T4 for the BYE client), and
 * an answered call still up (its dialog and lingering INVITE transactions). What lingers here is
 * promoted out of the young generation, so it drives the relay's GC pauses under load.
 */
async function retainedPerCall(hold: boolean, calls = 10_000): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return Number.NaN;
  holdOnly = hold;
  const settled = () => {
    gc();
    gc(); // a second pass frees what the first only unlinked (weak tables, finalizers)
    return process.memoryUsage().heapUsed;
  };
  const before = settled();
  for (let i = 0; i < calls; i++) await call(next++);
  return (settled() - before) / calls;
}
// First, in a fresh process: nothing lingering from earlier calls expires while these are counted
// (held calls leave only 64*T1 INVITE transactions; 10,000 completed calls take less than T4).
await retainedPerCall(true, 2_000); // warm-up: compiled code and type feedback are heap too
const held = await retainedPerCall(true);
const completed = await retainedPerCall(false);
console.log(
  `heap kept per call: ${completed.toFixed(0)} B completed (transactions lingering), ` +
    `${held.toFixed(0)} B answered and up`,
);
const calls = Number(values.calls);
for (let round = 0; round < Number(values.rounds); round++) {
  const idle = process.cpuUsage();
  for (let i = 0; i < calls; i++) await harnessOnly(i);
  const idleUs = process.cpuUsage(idle);
  const before = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await call(next++);
  const used = process.cpuUsage(before);
  const perCall = (used.user + used.system - idleUs.user - idleUs.system) / calls;
  console.log(
    `round ${round + 1} (log ${values.log}): ${calls} calls in ${((performance.now() - started) / 1000).toFixed(2)} s, ` +
      `relay JS ≈ ${perCall.toFixed(0)} µs CPU per call (wall ${(((performance.now() - started) * 1000) / calls).toFixed(0)} µs; ` +
      `transactions ${JSON.stringify(ctx.transactions.size)}, dialogs ${await ctx.dialogs.size()})`,
  );
}
synthetic.close();
process.exit(0);
