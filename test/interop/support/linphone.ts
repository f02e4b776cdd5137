import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BoundedProcess, spawnBounded, until } from './bounded-process';
import { freeMediaBlock, freeSipPorts } from './ports';
import { describeMessage, type TracedMessage } from './sip-trace';
import type { Transport } from './tandem';

export type LinphoneOptions = {
  transport: Transport;
  /** The relay's SIP port on 127.0.0.1: linphone's proxy and outbound route. */
  relayPort: number;
  /** The identity `sip:<user>@<domain>`, the From of its calls. */
  user: string;
  domain: string;
  /** Digest username (auth_info userid), password and realm; none for a source-authenticated PBX. */
  auth?: { username: string; password: string; realm: string };
};

export type Linphone = {
  /** linphonec's SIP port (UDP or TCP, as the transport says). */
  readonly sipPort: number;
  readonly process: BoundedProcess;
  /** Writes one linphonec command line to its stdin (`call sip:…`, `terminate`, `quit`). */
  send(line: string): void;
  /** Waits for a line of linphonec's console output matching `pattern`. */
  waitOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Every SIP message linphone sent or received so far (belle-sip's log at -d 6). */
  trace(): TracedMessage[];
  /** `quit`, then the process group; removes its config dir. */
  stop(): Promise<void>;
};

/**
 * linphonerc for a PBX that registers nothing: SIP on one free port of the
 * transport (the other transports off), IPv4, RTP on loopback within a free
 * block, one proxy config = the relay (reg_proxy + reg_route, reg_sendregister=0)
 * and, with auth, one auth_info for the realm.
 */
function linphonerc(o: LinphoneOptions, ports: { sip: number; rtp: number }): string {
  const relay = `sip:127.0.0.1:${o.relayPort};transport=${o.transport}`;
  const lines = [
    '[sip]',
    `sip_port=${o.transport === 'udp' ? ports.sip : 0}`,
    `sip_tcp_port=${o.transport === 'tcp' ? ports.sip : 0}`,
    'sip_tls_port=0',
    'sip_dtls_port=0',
    'use_ipv6=0',
    'ipv6_migration_done=1',
    'default_proxy=0',
    'register_only_when_network_is_up=0',
    'guess_hostname=1',
    'inc_timeout=20',
    '',
    '[rtp]',
    `audio_rtp_port=${ports.rtp}-${ports.rtp + 3}`,
    `video_rtp_port=${ports.rtp}-${ports.rtp + 3}`,
    `text_rtp_port=${ports.rtp}-${ports.rtp + 3}`,
    'bind_address=127.0.0.1',
    '',
    '[video]',
    'capture=0',
    'display=0',
    '',
    '[proxy_0]',
    `reg_proxy=<${relay}>`,
    `reg_route=<${relay};lr>`,
    `reg_identity=sip:${o.user}@${o.domain}`,
    'reg_expires=3600',
    'reg_sendregister=0',
    'publish=0',
    'dial_escape_plus=0',
    'quality_reporting_enabled=0',
    '',
  ];
  if (o.auth) {
    lines.push(
      '[auth_info_0]',
      `username=${o.user}`,
      `userid=${o.auth.username}`,
      `passwd=${o.auth.password}`,
      `realm=${o.auth.realm}`,
      `domain=${o.domain}`,
      '',
    );
  }
  return lines.join('\n');
}

/**
 * Starts linphonec (Debian `linphone-cli`) as a PBX that places calls through
 * the relay, driven over its stdin (one command a line; `soundcard use files`
 * instead of a sound card), its console output and its log (`-d 6 -l`), which
 * holds every SIP message. HOME is a temp dir: nothing of the user's is read.
 *
 * @example
 * const ua = await startLinphone({ transport: 'udp', relayPort, user: '+14155550100', domain: realm, auth });
 * ua.send(`call sip:+821012345678@${realm}`);
 * await ua.waitOutput(/connected\./, 10_000);
 */
export async function startLinphone(options: LinphoneOptions): Promise<Linphone> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-interop-linphone-'));
  mkdirSync(join(dir, '.local', 'share', 'linphone'), { recursive: true });
  const ports = { sip: await freeSipPorts(1), rtp: await freeMediaBlock(4) };
  const rc = join(dir, 'linphonerc');
  const log = join(dir, 'linphone.log');
  writeFileSync(rc, linphonerc(options, ports));
  const proc = spawnBounded('linphonec', ['-c', rc, '-d', '6', '-l', log], {
    limitS: 60,
    env: { ...process.env, HOME: dir },
  });
  const readLog = () => {
    try {
      return readFileSync(log, 'latin1');
    } catch {
      return '';
    }
  };
  const listening = new RegExp(
    `Creating listening point .* on \\[sip:[^\\]]*:${ports.sip};transport=${options.transport}\\]`,
    'i',
  );
  const send = (line: string) => {
    proc.child.stdin.write(`${line}\n`);
  };
  try {
    await until(
      () => listening.test(readLog()),
      'linphonec listens',
      15_000,
      () => proc.output(),
      100,
    );
  } catch (error) {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  send('soundcard use files');
  return {
    sipPort: ports.sip,
    process: proc,
    send,
    waitOutput: (pattern, timeoutMs) =>
      until(
        () => pattern.exec(proc.output()) ?? undefined,
        `linphonec prints ${pattern}`,
        timeoutMs,
        () => `${proc.output().slice(-4000)}\n--- SIP ---\n${summarize(parseLinphoneLog(readLog()))}`,
      ),
    trace: () => parseLinphoneLog(readLog()),
    async stop() {
      // After a refused digest answer linphonec prompts for another password on stdin and
      // takes a `quit` for it: say it again until it ends (3 s at most).
      for (let i = 0; i < 10 && proc.child.exitCode === null; i++) {
        send('quit');
        await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 300))]);
      }
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const summarize = (messages: TracedMessage[]) =>
  messages.map((m) => `${m.direction} ${m.method ?? `${m.status} (${m.cseqMethod})`}`).join('\n');

/**
 * belle-sip logs each message as `channel [...]: message sent to [UDP://host:port], size: [n] bytes`
 * or `channel [...]: received [n] new bytes from [TCP://host:port]:`, then the bytes up to the next
 * timestamped log line. A stream read may hold several messages: split at each start line.
 */
export function parseLinphoneLog(log: string): TracedMessage[] {
  const messages: TracedMessage[] = [];
  const lines = log.split('\n');
  const stamped = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3} /;
  const opener = /belle-sip-message-channel \[[^\]]*\]: (message sent to|received \[\d+\] new bytes from) \[/;
  const startLine = /^(SIP\/2\.0 \d{3}|[A-Z]+ \S+ SIP\/2\.0)/;
  for (let i = 0; i < lines.length; i++) {
    const open = opener.exec(lines[i]!);
    if (!open) continue;
    const direction = open[1]!.startsWith('message sent') ? 'sent' : 'received';
    const body: string[] = [];
    for (i++; i < lines.length && !stamped.test(lines[i]!); i++) body.push(lines[i]!);
    i--;
    let current: string[] = [];
    const flush = () => {
      const raw = current.join('\n').trim();
      if (startLine.test(raw)) messages.push(describeMessage(direction, raw));
      current = [];
    };
    for (const line of body) {
      if (startLine.test(line) && current.length > 0) flush();
      current.push(line);
    }
    flush();
  }
  return messages;
}
