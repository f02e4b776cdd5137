/**
 * `npm run bench:sip:core`: the relay's own JavaScript per call, without
 * sockets, sipp or HTTP: the same pieces startRelay wires (intake, receiver,
 * transactions, call runner, in-dialog runner, memory dialog store) around a
 * transport that records what would be sent, and a decision that parses a
 * fixed JSON answer with the contract (what the HTTP client does after the
 * bytes arrive). One call = INVITE in, 100 + INVITE out, 200 in, 200 out, ACK
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
import { decideResponse } from '../../contract/decide';
import { createMemoryAdmission } from '../../edge-relay/admission/memory-admission';
import { relayConfig } from '../../edge-relay/config';
import { createMemoryDialogStore } from '../../edge-relay/dialog/memory-dialog-store';
import { createLogger, type Logger, offThreadWriter } from '../../edge-relay/log';
import { noMediaAnchor } from '../../edge-relay/media/no-media-anchor';
import { createCallRunner } from '../../edge-relay/runtime/call-runner';
import { createRelayContext } from '../../edge-relay/runtime/context';
import { createInDialogRunner } from '../../edge-relay/runtime/in-dialog-runner';
import { createReceiver } from '../../edge-relay/runtime/receive';
import { intake } from '../../edge-relay/sip/intake';
import type { LocalAddress } from '../../edge-relay/sip/route';
import type { Destination, Remote, SipTransport } from '../../edge-relay/transport/sip-transport';

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

const RELAY = 5060;
const UAC = 5070;
const UAS = 5080;
const local: LocalAddress = { host: '127.0.0.1', ports: { udp: RELAY, tcp: RELAY } };
const sent: { to: Destination; data: string }[] = [];
const transport: SipTransport = {
  ports: local.ports,
  send: (to, data) => {
    sent.push({ to, data });
  },
  hasConnection: () => false,
  closeConnection: () => {},
  close: async () => {},
};
const HIGH = { max_concurrent_calls: 1_000_000, max_cps: 100_000 };
const id = (n: number) => `3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d1${n}`;
const target = (n: number, port: number) => ({
  kind: 'provider',
  id: id(n),
  route_id: id(n + 2),
  uri: `sip:+15551230000@127.0.0.1:${port}`,
  transport: 'udp',
  callee: '+15551230000',
  caller: '1000',
  headers: {},
  timers: { provisional_ms: 2000, final_ms: 60000 },
  media_anchor: false,
  credentials: null,
  failover_codes: ['404', '5xx', '6xx'],
  reason: `prefix:+1 priority:${n}`,
  ...(values.limits ? { limits: HIGH } : {}),
});
const answer = JSON.stringify({
  action: 'route',
  call: {
    customer_id: id(0),
    direction: 'outbound',
    source_kind: 'ipbx',
    source_id: id(5),
    caller: '1000',
    callee: '+15551230000',
  },
  targets: [target(1, UAS), target(2, UAS + 1)],
  ...(values.limits
    ? {
        limits: [
          { scope: 'ipbx', id: id(5), limits: HIGH },
          { scope: 'customer', id: id(0), limits: HIGH },
        ],
      }
    : {}),
});
const config = relayConfig.parse({
  address: '127.0.0.1',
  port: RELAY,
  decideUrl: 'http://127.0.0.1:1/v1/routing/decide',
  relayToken: 'x',
  logLevel: 'silent',
});
const ctx = createRelayContext({
  config,
  local,
  transport,
  decision: { decide: async () => decideResponse.parse(JSON.parse(answer)) },
  dialogs: createMemoryDialogStore(),
  media: noMediaAnchor,
  log: benchLogger(values.log),
  now: Date.now,
  records: { record: async () => {} },
  admission: createMemoryAdmission(),
  downProviders: () => [],
  observeAttempt: () => {},
  refuseCalls: () => false,
});
const { receive } = createReceiver(ctx, intake, createCallRunner(ctx), createInDialogRunner(ctx));
const uac: Remote = { transport: 'udp', address: '127.0.0.1', port: UAC };
const uas: Remote = { transport: 'udp', address: '127.0.0.1', port: UAS };
const sdp =
  'v=0\r\no=bench 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
const settle = () => new Promise<void>((r) => setImmediate(r));
const take = (port: number, startsWith: string): string => {
  const at = sent.findIndex((s) => s.to.port === port && s.data.startsWith(startsWith));
  if (at < 0)
    throw new Error(
      `nothing sent to ${port} starting with ${startsWith}: ${sent.map((s) => s.data.split('\r\n')[0]).join(' | ')}`,
    );
  return sent.splice(at, 1)[0]!.data;
};
const line = (message: string, name: string) =>
  message.split('\r\n').filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));

/** Set for the held-calls figure: calls stop after the ACK (answered, never hung up). */
let holdOnly = false;

async function call(n: number): Promise<void> {
  const callId = `${n}-4242@127.0.0.1`;
  const from = `<sip:1000@127.0.0.1:${UAC}>;tag=4242b${n}`;
  const to = `<sip:+15551230000@127.0.0.1:${RELAY}>`;
  const head = (method: string, seq: number, branch: string, toValue: string, extra: string[] = []) =>
    [
      `Via: SIP/2.0/UDP 127.0.0.1:${UAC};branch=${branch}`,
      ...extra,
      `From: ${from}`,
      `To: ${toValue}`,
      `Call-ID: ${callId}`,
      `CSeq: ${seq} ${method}`,
      `Contact: <sip:1000@127.0.0.1:${UAC};transport=UDP>`,
      'Max-Forwards: 70',
    ].join('\r\n');
  receive(
    `INVITE sip:+15551230000@127.0.0.1:${RELAY} SIP/2.0\r\n${head('INVITE', 1, `z9hG4bK-${n}-1`, to)}\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
    uac,
  );
  await settle();
  take(UAC, 'SIP/2.0 100');
  const invite = take(UAS, 'INVITE ');
  const toTag = `;tag=4242p${n}`;
  const ok = [
    'SIP/2.0 200 OK',
    ...line(invite, 'via'),
    ...line(invite, 'record-route'),
    ...line(invite, 'from'),
    `${line(invite, 'to')[0]}${toTag}`,
    ...line(invite, 'call-id'),
    ...line(invite, 'cseq'),
    `Contact: <sip:provider@127.0.0.1:${UAS};transport=UDP>`,
    'Content-Type: application/sdp',
    `Content-Length: ${sdp.length}`,
    '',
    sdp,
  ].join('\r\n');
  receive(ok, uas);
  await settle();
  const answered = take(UAC, 'SIP/2.0 200');
  const route = line(answered, 'record-route').map((l) => l.replace(/^record-route/i, 'Route'));
  const dialogTo = `${to}${toTag}`;
  receive(
    `ACK sip:provider@127.0.0.1:${UAS} SIP/2.0\r\n${head('ACK', 1, `z9hG4bK-${n}-2`, dialogTo, route)}\r\nContent-Length: 0\r\n\r\n`,
    uac,
  );
  await settle();
  take(UAS, 'ACK ');
  if (holdOnly) return;
  receive(
    `BYE sip:provider@127.0.0.1:${UAS} SIP/2.0\r\n${head('BYE', 2, `z9hG4bK-${n}-3`, dialogTo, route)}\r\nContent-Length: 0\r\n\r\n`,
    uac,
  );
  await settle();
  const bye = take(UAS, 'BYE ');
  const byeOk = [
    'SIP/2.0 200 OK',
    ...line(bye, 'via'),
    ...line(bye, 'from'),
    ...line(bye, 'to'),
    ...line(bye, 'call-id'),
    ...line(bye, 'cseq'),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  receive(byeOk, uas);
  await settle();
  take(UAC, 'SIP/2.0 200');
  if (sent.length > 0) throw new Error(`left over: ${sent.map((s) => s.data.split('\r\n')[0]).join(' | ')}`);
}

/** CPU the harness itself spends building and checking the messages above (subtracted). */
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
ctx.transactions.close();
process.exit(0);
