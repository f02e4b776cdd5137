import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../platform/free-port';
import { type BoundedProcess, spawnBounded, until } from './bounded-process';
import { freeMediaBlock, freeSipPorts } from './ports';
import { describeMessage, type TracedMessage } from './sip-trace';
import type { Transport } from './tandem';

/** A ctrl_tcp event (`{"event":true,"type":"CALL_ESTABLISHED",…}`). */
export type BaresipEvent = { type: string; class?: string; param?: string; id?: string; peeruri?: string };

export type Baresip = {
  /** baresip's own SIP port on 127.0.0.1 (UDP and TCP; TLS takes the next one). */
  readonly sipPort: number;
  readonly process: BoundedProcess;
  readonly events: BaresipEvent[];
  /** Runs a command (`dial`, `hangup`, `quit`) through ctrl_tcp; resolves with its response. */
  command(command: string, params?: string): Promise<{ ok: boolean; data: string }>;
  /** Waits for an event whose type is or matches `type` (CALL_ESTABLISHED, CALL_CLOSED…) and returns it. */
  waitEvent(type: string | RegExp, timeoutMs: number): Promise<BaresipEvent>;
  /** Every SIP message baresip sent or received so far (its `-s` trace on stdout). */
  trace(): TracedMessage[];
  /** Quits baresip (ctrl_tcp `quit`, then the process group), removes its config dir. */
  stop(): Promise<void>;
};

export type BaresipOptions = {
  transport: Transport;
  /** The relay's SIP port on 127.0.0.1: baresip's outbound proxy. */
  relayPort: number;
  /** The account: `sip:<user>@<domain>`, the From of its calls. */
  user: string;
  domain: string;
  /** Digest username and password (auth_user, auth_pass); none for a source-authenticated PBX. */
  auth?: { username: string; password: string };
};

/**
 * Writes baresip's config and accounts into a temp dir (`-f`): SIP on a free
 * loopback port, no sound card (ausine as the source, no player), G.711, the
 * menu and ctrl_tcp modules to drive it, one account that registers nothing
 * and sends every request to the relay as its outbound proxy.
 */
function writeConfig(dir: string, o: BaresipOptions, ports: { sip: number; ctrl: number; rtp: number }) {
  const config = [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${ports.sip}`,
    // Local address for Contact and SDP (without it baresip takes the default interface's).
    'net_interface 127.0.0.1',
    'call_local_timeout 20',
    'call_max_calls 1',
    // No sound card: a 440 Hz sine as the microphone; ausine only does 48 kHz stereo.
    'audio_source ausine,440',
    'ausrc_srate 48000',
    'ausrc_channels 2',
    `rtp_ports ${ports.rtp}-${ports.rtp + 3}`,
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    'module ausine.so',
    'module_tmp account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${ports.ctrl}`,
    'statmode_default off',
  ];
  const params = [
    ...(o.auth ? [`auth_user=${o.auth.username}`, `auth_pass=${o.auth.password}`] : []),
    `outbound="sip:127.0.0.1:${o.relayPort};transport=${o.transport}"`,
    'regint=0',
    'audio_codecs=PCMU,PCMA',
  ];
  writeFileSync(join(dir, 'config'), `${config.join('\n')}\n`);
  writeFileSync(join(dir, 'accounts'), `<sip:${o.user}@${o.domain}>;${params.join(';')}\n`);
  writeFileSync(join(dir, 'contacts'), '');
}

/**
 * Starts baresip (Debian `baresip-core`) as a PBX that places calls through
 * the relay, driven over ctrl_tcp (JSON in netstrings) and traced with `-s`.
 *
 * @example
 * const ua = await startBaresip({ transport: 'udp', relayPort, user: '+14155550100', domain: realm, auth });
 * await ua.command('dial', `sip:+821012345678@${realm}`);
 * await ua.waitEvent('CALL_ESTABLISHED', 10_000);
 */
export async function startBaresip(options: BaresipOptions): Promise<Baresip> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-interop-baresip-'));
  const ports = { sip: await freeSipPorts(2), ctrl: await freePort(), rtp: await freeMediaBlock(4) };
  writeConfig(dir, options, ports);
  const proc = spawnBounded('baresip', ['-f', dir, '-s'], {
    limitS: 60,
    env: { ...process.env, HOME: dir },
  });
  const events: BaresipEvent[] = [];
  const pending = new Map<string, (r: { ok: boolean; data: string }) => void>();
  let socket: Socket | undefined;
  try {
    socket = await until(
      () => tryConnect(ports.ctrl),
      'baresip listens on ctrl_tcp',
      10_000,
      () => proc.output(),
      100,
    );
  } catch (error) {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const colon = buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(buffer.subarray(0, colon).toString());
      if (buffer.length < colon + 1 + length + 1) return;
      const json = JSON.parse(buffer.subarray(colon + 1, colon + 1 + length).toString());
      buffer = buffer.subarray(colon + 2 + length);
      if (json.event) events.push(json);
      else if (json.response)
        pending.get(json.token)?.({ ok: json.ok === true, data: String(json.data ?? '') });
    }
  });
  socket.on('error', () => {});
  let tokens = 0;
  const command = (name: string, params = '') =>
    new Promise<{ ok: boolean; data: string }>((resolve, reject) => {
      const token = `t${++tokens}`;
      const timer = setTimeout(() => reject(new Error(`baresip: no response to ${name}`)), 5000);
      pending.set(token, (r) => {
        clearTimeout(timer);
        pending.delete(token);
        resolve(r);
      });
      const json = JSON.stringify({ command: name, params, token });
      socket!.write(`${Buffer.byteLength(json)}:${json},`);
    });
  return {
    sipPort: ports.sip,
    process: proc,
    events,
    command,
    waitEvent: (type, timeoutMs) =>
      until(
        () => events.find((e) => (typeof type === 'string' ? e.type === type : type.test(e.type))),
        `baresip reports ${type}`,
        timeoutMs,
        () =>
          `events: ${events.map((e) => `${e.type}(${e.param ?? ''})`).join(', ')}\n${proc.output().slice(-6000)}`,
      ),
    trace: () => parseBaresipTrace(proc.output(), options.relayPort),
    async stop() {
      if (proc.child.exitCode === null) {
        await Promise.race([command('quit').catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
        await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 2000))]);
      }
      socket?.destroy();
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function tryConnect(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}

/**
 * baresip's `-s` trace: each message on stdout as `#`, `<TRANSPORT> <src> -> <dst>`,
 * the message, in ANSI colour. Sent when the destination is the relay (its only peer).
 */
export function parseBaresipTrace(output: string, relayPort: number): TracedMessage[] {
  const messages: TracedMessage[] = [];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the trace is coloured with ANSI escapes.
  const block = /\x1b\[36;1m#\r?\n(\S+) (\S+) -> (\S+)\r?\n([\s\S]*?)\x1b\[;m/g;
  for (const m of output.matchAll(block)) {
    const sent = m[3] === `127.0.0.1:${relayPort}`;
    messages.push(describeMessage(sent ? 'sent' : 'received', m[4]!.replace(/\s+$/, '')));
  }
  return messages;
}
