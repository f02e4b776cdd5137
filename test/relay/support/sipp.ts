import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const scenarios = resolve(import.meta.dirname, '../../sipp/scenarios');

export type SippOptions = {
  /** File name under test/sipp/scenarios. */
  scenario: string;
  /** Placeholders (`__CODE__`, `__INVITE_CHECK__`, `__HOLD_MS__`) replaced in the scenario before the run. */
  render?: Record<string, string>;
  /** Local SIP port (a free one from freePort()). */
  port: number;
  transport: 'udp' | 'tcp';
  /** `host:port` of the relay; absent for a UAS. */
  remote?: string;
  calls?: number;
  /** Calls per second (UAC). */
  rate?: number;
  /** Request-URI user (`-s`). */
  service?: string;
  /** `[name]` keywords. */
  keys?: Record<string, string>;
  auth?: { username: string; password: string };
  timeoutS?: number;
};

export type SippResult = { code: number; output: string };
export type SippProcess = { done: Promise<SippResult>; stop(): Promise<SippResult> };

/**
 * Runs sipp (Debian `sip-tester`) as a real SIP peer. Exit code 0 means every
 * call followed the scenario; the output holds sipp's last screen and its
 * error log for the assertion message.
 *
 * @example
 * const uas = await startSipp({ scenario: 'uas-answer.xml', port, transport: 'udp', calls: 1 });
 * const uac = await startSipp({ scenario: 'uac-call.xml', port: p2, transport: 'udp', remote, service: '+8210', calls: 1 });
 * expect((await uac.done).code).toBe(0);
 */
export async function startSipp(options: SippOptions): Promise<SippProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sipp-'));
  let xml = readFileSync(join(scenarios, options.scenario), 'latin1');
  for (const [k, v] of Object.entries(options.render ?? {})) xml = xml.replaceAll(k, v);
  // Optional checks a test did not ask for (__INVITE_CHECK__, __ANSWER_CHECK__) render as nothing.
  xml = xml.replace(/__[A-Z]+_CHECK__/g, '').replaceAll('__HOLD_MS__', '100');
  const file = join(dir, options.scenario);
  writeFileSync(file, xml, 'latin1');
  const errors = join(dir, 'errors.log');
  const calls = options.calls ?? 1;
  const args = [
    '-sf',
    file,
    '-i',
    '127.0.0.1',
    '-p',
    String(options.port),
    '-mp',
    String(await freeMediaPorts()),
    '-t',
    options.transport === 'udp' ? 'u1' : 't1',
    '-m',
    String(calls),
    '-nostdin',
    '-timeout',
    `${options.timeoutS ?? 15}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    errors,
    '-r',
    String(options.rate ?? 10),
    // sipp's default 64 KB socket buffers drop datagrams under bursts.
    '-buff_size',
    '1048576',
  ];
  for (const [k, v] of Object.entries(options.keys ?? {})) args.push('-key', k, v);
  if (options.service) args.push('-s', options.service);
  if (options.auth) args.push('-au', options.auth.username, '-ap', options.auth.password);
  if (options.remote) args.push(options.remote);
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('latin1')).slice(-6000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const done = new Promise<SippResult>((resolveDone) => {
    child.once('exit', (code, signal) => {
      let log = '';
      try {
        log = readFileSync(errors, 'latin1').slice(-4000);
      } catch {}
      rmSync(dir, { recursive: true, force: true });
      resolveDone({ code: code ?? (signal ? 128 : -1), output: `${output}\n--- errors ---\n${log}` });
    });
  });
  if (!options.remote) await waitReady(options);
  return {
    done,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return done;
    },
  };
}

async function waitReady(options: SippOptions): Promise<void> {
  if (options.transport === 'udp') {
    await new Promise((r) => setTimeout(r, 300));
    return;
  }
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(options.port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sipp did not listen on tcp ${options.port}`);
}

/**
 * sipp binds four UDP ports from `-mp` (audio and video RTP/RTCP) even without
 * RTP, so a single free port is not enough: find a free block of four.
 */
async function freeMediaPorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // 10000-17999: below the kernel's ephemeral range (32768+, where freePort() picks SIP
    // ports) and below the RTP range test rtpengines claim (19000-31999, edge-relay/media).
    const base = 10_000 + 4 * Math.floor(Math.random() * 2_000);
    const sockets = [];
    let ok = true;
    for (let p = base; p < base + 4 && ok; p++) {
      const socket = createSocket('udp4');
      ok = await new Promise<boolean>((r) => {
        socket.once('error', () => r(false));
        socket.bind(p, '127.0.0.1', () => r(true));
      });
      sockets.push(socket);
    }
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (ok) return base;
  }
  throw new Error('no free block of media ports');
}
