import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * `bench:sip --capture`: where a call's INVITE→200 time goes inside Tandem,
 * read off the loopback wire (tcpdump), so nothing in the relay or the
 * decision is instrumented. Per call (matched by Call-ID, the decide by the
 * call_id of its JSON body and the answer by its TCP connection):
 *
 *   INVITE in → decide sent → decide answered → INVITE out → 200 in → 200 out
 *
 * "proxy-added" is everything but the callee's own time (INVITE out → 200 in).
 * Kamailio (no decide) gets the phases without the decide.
 */

export type Capture = { stop(): Promise<void> };

export function tcpdumpAvailable(): boolean {
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** tcpdump on loopback into `file` (needs root or CAP_NET_RAW); resolves once it listens. */
export async function startCapture(file: string): Promise<Capture> {
  const child: ChildProcess = spawn(
    'tcpdump',
    ['-i', 'lo', '-w', file, '-s', '0', '-B', '131072', '-n', '-U', 'udp or tcp'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`tcpdump exited (${code}): ${stderr.trim()}`)));
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

type Packet = { t: number; tcp: boolean; sport: number; dport: number; payload: Buffer };

/** IPv4 TCP/UDP packets with payload from a pcap file (loopback: Ethernet or Linux cooked headers). */
function* packets(file: string): Generator<Packet> {
  const data = readFileSync(file);
  const magic = data.readUInt32LE(0);
  const nano = magic === 0xa1b23c4d;
  const link = data.readUInt32LE(20);
  const linkHeader = link === 1 ? 14 : link === 113 ? 16 : link === 276 ? 20 : 4;
  for (let at = 24; at + 16 <= data.length; ) {
    const t = data.readUInt32LE(at) + data.readUInt32LE(at + 4) / (nano ? 1e9 : 1e6);
    const length = data.readUInt32LE(at + 8);
    const ip = at + 16 + linkHeader;
    at += 16 + length;
    if (at > data.length || data[ip]! >> 4 !== 4) continue;
    const protocol = data[ip + 9];
    const l4 = ip + (data[ip]! & 15) * 4;
    const end = ip + data.readUInt16BE(ip + 2);
    const start = protocol === 17 ? l4 + 8 : protocol === 6 ? l4 + (data[l4 + 12]! >> 4) * 4 : end;
    if (start >= end) continue;
    yield {
      t,
      tcp: protocol === 6,
      sport: data.readUInt16BE(l4),
      dport: data.readUInt16BE(l4 + 2),
      payload: data.subarray(start, end),
    };
  }
}

const PHASES = [
  ['INVITE in → INVITE out', 'inviteIn', 'inviteOut'],
  ['INVITE in → decide sent', 'inviteIn', 'decideSent'],
  ['decide round trip', 'decideSent', 'decided'],
  ['decided → INVITE out', 'decided', 'inviteOut'],
  ['callee (INVITE out → 200 in)', 'inviteOut', 'okIn'],
  ['200 in → 200 out', 'okIn', 'okOut'],
] as const;
type Mark = 'inviteIn' | 'decideSent' | 'decided' | 'inviteOut' | 'okIn' | 'okOut';

export type PhaseFigures = { phase: string; p50: number; p90: number; p99: number; max: number };
export type Phases = { calls: number; phases: PhaseFigures[] };

const CALL_ID = /\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]+)/i;
const CSEQ = /\r\ncseq[ \t]*:[ \t]*\d+[ \t]+(\w+)/i;

/** The phases of the calls the capture saw, relayed by the proxy on UDP `relayPort`. */
export function phasesOf(file: string, relayPort: number): Phases {
  const calls = new Map<string, Partial<Record<Mark, number>>>();
  const decideOn = new Map<string, string>();
  const mark = (id: string, m: Mark, t: number) => {
    const call = calls.get(id) ?? {};
    call[m] ??= t;
    calls.set(id, call);
  };
  for (const p of packets(file)) {
    const head = p.payload.toString('latin1', 0, Math.min(p.payload.length, 2048));
    if (p.tcp) {
      if (head.startsWith('POST ')) {
        const id = /"call_id":"([^"]+)"/.exec(p.payload.toString('latin1'))?.[1];
        if (id) {
          mark(id, 'decideSent', p.t);
          decideOn.set(`${p.sport}>${p.dport}`, id);
        }
      } else if (head.startsWith('HTTP/1.1 ')) {
        const key = `${p.dport}>${p.sport}`;
        const id = decideOn.get(key);
        if (id) mark(id, 'decided', p.t);
        decideOn.delete(key);
      }
      continue;
    }
    const id = CALL_ID.exec(head)?.[1]?.trim();
    if (!id) continue;
    const toRelay = p.dport === relayPort;
    const fromRelay = p.sport === relayPort;
    if (head.startsWith('INVITE ')) {
      if (toRelay) mark(id, 'inviteIn', p.t);
      else if (fromRelay) mark(id, 'inviteOut', p.t);
    } else if (head.startsWith('SIP/2.0 200') && CSEQ.exec(head)?.[1] === 'INVITE') {
      if (toRelay) mark(id, 'okIn', p.t);
      else if (fromRelay) mark(id, 'okOut', p.t);
    }
  }
  const all = [...calls.values()];
  const figures = (phase: string, ms: number[]): PhaseFigures => {
    ms.sort((a, b) => a - b);
    const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(ms.length * q))] ?? Number.NaN;
    return { phase, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: ms.at(-1) ?? Number.NaN };
  };
  const span = (c: Partial<Record<Mark, number>>, from: Mark, to: Mark) =>
    c[from] !== undefined && c[to] !== undefined ? (c[to] - c[from]) * 1e3 : undefined;
  const sip = all.filter((c) => c.inviteIn && c.inviteOut && c.okIn && c.okOut) as Record<Mark, number>[];
  const phases = PHASES.map(([phase, from, to]) =>
    figures(
      phase,
      sip.map((c) => span(c, from, to)).filter((ms) => ms !== undefined),
    ),
  ).filter((f) => !Number.isNaN(f.p50));
  phases.push(
    figures(
      'proxy-added (all but the callee)',
      sip.map((c) => (c.okOut - c.inviteIn - (c.okIn - c.inviteOut)) * 1e3),
    ),
  );
  return { calls: sip.length, phases };
}
