import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryMb, processTree } from './proc-stats';
import { scenarioDir, sippPorts, stopChild } from './sipp';
import type { TandemProxy } from './tandem';

export type MemoryResult = {
  calls: number;
  established: number;
  heapBeforeMb: number;
  heapWithCallsMb: number;
  /** (heap with calls - heap before) / established calls, bytes, after a full GC each time. */
  heapPerCallBytes: number;
  pssWithCallsMb: number;
};

/**
 * Holds `calls` concurrent calls through the relay (sipp UAC with a 10 min
 * hold, placed at `rate` cps) and reads the relay heap after a full GC before
 * and once they are all up.
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
    [
      `127.0.0.1:${proxy.port}`,
      '-sf',
      join(scenarioDir, 'uac.xml'),
      '-s',
      options.service,
      '-i',
      '127.0.0.1',
      '-p',
      String(options.uacPort),
      '-cp',
      String(ports.control),
      '-mp',
      String(ports.media),
      '-nostdin',
      '-r',
      String(options.rate),
      '-m',
      String(calls),
      '-l',
      String(calls),
      '-d',
      '600000',
      '-trace_stat',
      '-stf',
      statFile,
      '-fd',
      '1',
    ],
    { cwd: options.cwd, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const deadline = Date.now() + ((calls / options.rate) * 2 + 30) * 1000;
  let established = 0;
  try {
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      const rows = readFileSync(join(options.cwd, statFile), 'latin1').trim().split('\n');
      const names = rows[0]!.split(';');
      const last = rows.at(-1)!.split(';');
      const current = Number(last[names.indexOf('CurrentCall')] ?? 0);
      const created = Number(last[names.indexOf('OutgoingCall(C)')] ?? 0);
      established = current;
      if (created >= calls) {
        // Every INVITE is out; give the last answers a moment, then measure.
        await new Promise((r) => setTimeout(r, 3000));
        break;
      }
    }
    const heapWith = await proxy.heapUsed();
    const pss = memoryMb(processTree(proxy.pid)).pss;
    options.log(
      `memory: ${established} calls up, heap ${(heapBefore / 2 ** 20).toFixed(1)} → ${(heapWith / 2 ** 20).toFixed(1)} MB`,
    );
    return {
      calls,
      established,
      heapBeforeMb: heapBefore / 2 ** 20,
      heapWithCallsMb: heapWith / 2 ** 20,
      heapPerCallBytes: established > 0 ? (heapWith - heapBefore) / established : Number.NaN,
      pssWithCallsMb: pss,
    };
  } finally {
    await stopChild(child);
  }
}
