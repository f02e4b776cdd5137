import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { terminate } from '../../local/child-process';
import { freeUdpPort } from '../../platform/free-port';

export const scenarioDir = new URL('.', import.meta.url).pathname;

/** Ports one sipp instance needs: SIP, control (UDP) and media. */
export async function sippPorts(): Promise<{ sip: number; control: number; media: number }> {
  return { sip: await freeUdpPort(), control: await freeUdpPort(), media: await freeUdpPort() };
}

export type Uas = { process: ChildProcess; port: number; stop(): Promise<void> };

/** Starts a sipp UAS (a provider) that runs until stopped. */
export async function startUas(scenario: string, cwd: string): Promise<Uas> {
  const ports = await sippPorts();
  const child = spawn(
    'sipp',
    [
      '-sf',
      join(scenarioDir, scenario),
      '-i',
      '127.0.0.1',
      '-p',
      String(ports.sip),
      '-cp',
      String(ports.control),
      '-mp',
      String(ports.media),
      '-nostdin',
      '-buff_size',
      '4194304',
      '-max_recv_loops',
      '10000',
      // Retransmitted INVITEs (a slow UAS on a busy machine) are recognised by Call-ID and CSeq.
      '-rtcheck',
      'loose',
    ],
    { cwd, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise((r) => setTimeout(r, 300));
  if (child.exitCode !== null) throw new Error(`sipp UAS ${scenario} exited with ${child.exitCode}`);
  return { process: child, port: ports.sip, stop: () => stopChild(child) };
}

/** Stops a benchmark child (sipp, Kamailio, the relay): SIGTERM, SIGKILL after 3 s (sipp 3.6 can hang). */
export const stopChild = (child: ChildProcess): Promise<void> => terminate(child, 3_000);

export type UacRun = {
  rate: number;
  durationS: number;
  holdMs: number;
  target: string;
  service: string;
  /** Local SIP port of the UAC (the IPBX Tandem knows). */
  uacPort: number;
  cwd: string;
  /** Extra time for the last calls to end before sipp is stopped. */
  graceS?: number;
  onStart?: (pid: number) => void;
};

export type UacResult = {
  created: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** INVITE -> 200 in ms. */
  p50: number;
  p99: number;
  max: number;
  /** Calls per second actually offered (sipp can fall behind its target on a busy machine). */
  offeredCps: number;
  exitCode: number | null;
};

/**
 * A sipp UAC (uac.xml, as the IPBX) calling `service` at `target` from `ports.sip`: `rate`
 * calls/s, `calls` in all, at most `limit` at once, each held `holdMs`, statistics every
 * second into `statFile`.
 */
export function uacArgs(o: {
  target: string;
  service: string;
  ports: { sip: number; control: number; media: number };
  rate: number;
  calls: number;
  limit: number;
  holdMs: number;
  statFile: string;
}): string[] {
  return [
    o.target,
    '-sf',
    join(scenarioDir, 'uac.xml'),
    '-s',
    o.service,
    '-i',
    '127.0.0.1',
    '-p',
    String(o.ports.sip),
    '-cp',
    String(o.ports.control),
    '-mp',
    String(o.ports.media),
    '-nostdin',
    '-r',
    String(o.rate),
    '-m',
    String(o.calls),
    '-l',
    String(o.limit),
    '-d',
    String(o.holdMs),
    '-trace_stat',
    '-stf',
    o.statFile,
    '-fd',
    '1',
  ];
}

/** Runs one bounded sipp UAC step: `rate` calls/s for `durationS`, each held `holdMs`. */
export async function runUac(run: UacRun): Promise<UacResult> {
  const ports = { ...(await sippPorts()), sip: run.uacPort };
  const calls = Math.round(run.rate * run.durationS);
  const limit = Math.max(100, Math.ceil(run.rate * (run.holdMs / 1000 + 3) * 2));
  const timeoutS = Math.ceil(run.durationS + run.holdMs / 1000 + (run.graceS ?? 8));
  const statFile = `uac-${run.rate}-${Date.now()}.csv`;
  const child = spawn(
    'sipp',
    [
      ...uacArgs({
        target: run.target,
        service: run.service,
        ports,
        rate: run.rate,
        calls,
        limit,
        holdMs: run.holdMs,
        statFile,
      }),
      '-timeout',
      `${timeoutS}s`,
      '-trace_rtt',
      '-rtt_freq',
      '1',
      '-buff_size',
      '4194304',
      '-max_recv_loops',
      '10000',
      '-trace_err',
      '-error_file',
      `${statFile}.errors.log`,
    ],
    { cwd: run.cwd, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  run.onStart?.(child.pid ?? -1);
  // sipp 3.6 at high rates often prints "Test Terminated" and then never exits (nor honours
  // -timeout): bound every step; the stats file (-fd 1) has a row per second.
  const hardStop = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 1) * 1000);
  const earlyStop = setInterval(() => {
    if (finishedAll(join(run.cwd, statFile), calls)) child.kill('SIGKILL');
  }, 1000);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearTimeout(hardStop);
  clearInterval(earlyStop);
  const stats = lastRow(readFileSync(join(run.cwd, statFile), 'latin1'));
  const rttFile = readdirSync(run.cwd).find(
    (f) => f.startsWith('uac_') && f.endsWith(`_${child.pid}_rtt.csv`),
  );
  const rtt = rttFile
    ? readRtt(readFileSync(join(run.cwd, rttFile), 'latin1'))
    : { times: [], firstMs: 0, lastMs: 0 };
  const sorted = rtt.times.sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  const span = (rtt.lastMs - rtt.firstMs) / 1000;
  return {
    created: Number(stats['OutgoingCall(C)'] ?? 0),
    successful: Number(stats['SuccessfulCall(C)'] ?? 0),
    failed: Number(stats['FailedCall(C)'] ?? 0),
    retransmissions: Number(stats['Retransmissions(C)'] ?? 0),
    p50: pct(50),
    p99: pct(99),
    max: sorted.at(-1) ?? Number.NaN,
    offeredCps: span > 0 ? (sorted.length - 1) / span : 0,
    exitCode,
  };
}

/** Every call ended (successful or failed) according to sipp's periodic stats row. */
function finishedAll(file: string, calls: number): boolean {
  try {
    const row = lastRow(readFileSync(file, 'latin1'));
    return Number(row['SuccessfulCall(C)'] ?? 0) + Number(row['FailedCall(C)'] ?? 0) >= calls;
  } catch {
    return false;
  }
}

/** The last row of a sipp statistics file (`-trace_stat`), by column name. */
export function lastRow(csv: string): Record<string, string> {
  const rows = csv.trim().split('\n');
  const names = rows[0]!.split(';');
  const values = rows.at(-1)!.split(';');
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
}

function readRtt(csv: string): { times: number[]; firstMs: number; lastMs: number } {
  const times: number[] = [];
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = 0;
  for (const line of csv.split('\n').slice(1)) {
    const [date, ms, rtd] = line.split(';');
    if (rtd?.trim() !== '1') continue;
    times.push(Number(ms));
    const at = Number(date) - Number(ms);
    firstMs = Math.min(firstMs, at);
    lastMs = Math.max(lastMs, at);
  }
  return { times, firstMs: Number.isFinite(firstMs) ? firstMs : 0, lastMs };
}
