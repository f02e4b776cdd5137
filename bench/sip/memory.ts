import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryMb, processTree } from './proc-stats';
import { lastRow, sippPorts, stopChild, uacArgs } from './sipp';
import type { TandemProxy } from './tandem';

export type MemoryResult = {
  calls: number;
  established: number;
  heapBeforeMb: number;
  /** 3 s after the last INVITE: the latest calls' transactions still linger (64*T1, RFC 6026). */
  heapLingeringMb: number;
  heapLingeringPerCallBytes: number;
  heapWithCallsMb: number;
  /**
   * (heap with calls - heap before) / established calls, bytes, after a full GC each time, read once
   * every call is past its transactions' linger time (64*T1 + 5 s after the last INVITE): what a
   * held call costs for as long as it lasts.
   */
  heapPerCallBytes: number;
  pssWithCallsMb: number;
};

/** RFC 3261 64*T1 with the relay's default T1 (500 ms): how long transactions linger. */
const LINGER_MS = 64 * 500;

/**
 * Holds `calls` concurrent calls through the relay (sipp UAC with a 10 min
 * hold, placed at `rate` cps) and reads the relay heap after a full GC before,
 * 3 s after the last INVITE (transactions of the latest calls still lingering)
 * and once every call is past 64*T1 (steady: only what a held call keeps).
 */
export async function measureMemory(options: {
  proxy: TandemProxy;
  calls: number;
  rate: number;
  uacPort: number;
  service: string;
  cwd: string;
  log: (line: string) => void;
}): Promise<MemoryResult> {
  const { proxy, calls } = options;
  const heapBefore = await proxy.heapUsed();
  const ports = await sippPorts();
  const statFile = `memory-${Date.now()}.csv`;
  const child = spawn(
    'sipp',
    uacArgs({
      target: `127.0.0.1:${proxy.port}`,
      service: options.service,
      ports: { ...ports, sip: options.uacPort },
      rate: options.rate,
      calls,
      limit: calls,
      holdMs: 600_000,
      statFile,
    }),
    { cwd: options.cwd, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const deadline = Date.now() + ((calls / options.rate) * 2 + 30) * 1000;
  let established = 0;
  try {
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      const stats = lastRow(readFileSync(join(options.cwd, statFile), 'latin1'));
      established = Number(stats['CurrentCall'] ?? 0);
      if (Number(stats['OutgoingCall(C)'] ?? 0) >= calls) {
        // Every INVITE is out; give the last answers a moment, then measure.
        await new Promise((r) => setTimeout(r, 3000));
        break;
      }
    }
    const heapLingering = await proxy.heapUsed();
    options.log(
      `memory: ${established} calls up, heap ${(heapBefore / 2 ** 20).toFixed(1)} → ${(heapLingering / 2 ** 20).toFixed(1)} MB ` +
        `(transactions lingering); steady reading in ${(LINGER_MS + 5000) / 1000} s`,
    );
    await new Promise((r) => setTimeout(r, LINGER_MS + 5000));
    const heapWith = await proxy.heapUsed();
    established = Number(
      lastRow(readFileSync(join(options.cwd, statFile), 'latin1'))['CurrentCall'] ?? established,
    );
    const pss = memoryMb(processTree(proxy.pid)).pss;
    options.log(
      `memory: ${established} calls up, heap ${(heapBefore / 2 ** 20).toFixed(1)} → ${(heapWith / 2 ** 20).toFixed(1)} MB (steady)`,
    );
    const perCall = (heap: number) => (established > 0 ? (heap - heapBefore) / established : Number.NaN);
    return {
      calls,
      established,
      heapBeforeMb: heapBefore / 2 ** 20,
      heapLingeringMb: heapLingering / 2 ** 20,
      heapLingeringPerCallBytes: perCall(heapLingering),
      heapWithCallsMb: heapWith / 2 ** 20,
      heapPerCallBytes: perCall(heapWith),
      pssWithCallsMb: pss,
    };
  } finally {
    await stopChild(child);
  }
}
