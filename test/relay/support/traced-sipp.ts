import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const scenarios = resolve(import.meta.dirname, '../../sipp/scenarios');

export type TracedSippOptions = {
  /** File name under test/sipp/scenarios. */
  scenario: string;
  /** Placeholders replaced in the scenario before the run. */
  render?: Record<string, string>;
  /** Local UDP port (a free one from freePort()). */
  port: number;
  /** `host:port` of the relay; absent for a UAS. */
  remote?: string;
  service?: string;
  keys?: Record<string, string>;
  auth?: { username: string; password: string };
  timeoutS?: number;
};

/** One SIP message as sipp logged it: whether it was received or sent, and its text. */
export type TracedMessage = { received: boolean; text: string };

export type TracedSippResult = { code: number; output: string; messages: TracedMessage[] };

/**
 * sipp over UDP with `-trace_msg`: besides the exit code, every message it received and sent,
 * read from its message log, so a test can assert what really reached a peer on the wire.
 *
 * @example
 * const uas = await startTracedSipp({ scenario: 'uas-auth-in-dialog.xml', port });
 * const received = (await uas.done).messages.filter((m) => m.received);
 */
export async function startTracedSipp(options: TracedSippOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sipp-trace-'));
  let xml = readFileSync(join(scenarios, options.scenario), 'latin1');
  for (const [k, v] of Object.entries(options.render ?? {})) xml = xml.replaceAll(k, v);
  const file = join(dir, options.scenario);
  writeFileSync(file, xml, 'latin1');
  const messageFile = join(dir, 'messages.log');
  const errors = join(dir, 'errors.log');
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
    'u1',
    '-m',
    '1',
    '-nostdin',
    '-timeout',
    `${options.timeoutS ?? 15}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    errors,
    '-trace_msg',
    '-message_file',
    messageFile,
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
  const done = new Promise<TracedSippResult>((resolveDone) => {
    child.once('exit', (code, signal) => {
      const read = (path: string) => {
        try {
          return readFileSync(path, 'latin1');
        } catch {
          return '';
        }
      };
      const messages = parseMessageLog(read(messageFile));
      const log = read(errors).slice(-4000);
      rmSync(dir, { recursive: true, force: true });
      resolveDone({
        code: code ?? (signal ? 128 : -1),
        output: `${output}\n--- errors ---\n${log}`,
        messages,
      });
    });
  });
  if (!options.remote) await new Promise((r) => setTimeout(r, 300)); // the UAS listens
  return {
    done,
    async stop(): Promise<TracedSippResult> {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return done;
    },
  };
}

/**
 * sipp's `-trace_msg` log: each message follows a dashed line with a timestamp and a line
 * `UDP message received [n] bytes :` or `UDP message sent (n bytes):`, then a blank line.
 */
export function parseMessageLog(log: string): TracedMessage[] {
  const out: TracedMessage[] = [];
  for (const entry of log.split(/^-{20,}[^\n]*\n/m)) {
    const match = /^\w+ message (received|sent)[^\n]*\n\n([\s\S]*)$/.exec(entry);
    if (!match) continue;
    out.push({ received: match[1] === 'received', text: match[2]!.trimEnd() });
  }
  return out;
}

/** sipp binds four UDP ports from `-mp` even without RTP: a free block of four (as sipp.ts). */
async function freeMediaPorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
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
