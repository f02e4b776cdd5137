import { decideResponse } from '../../contract/decide';
import { createMemoryAdmission } from '../admission/memory-admission';
import { relayConfig } from '../config';
import { createMemoryDialogStore } from '../dialog/memory-dialog-store';
import { createLogger, type Logger } from '../log';
import { noMediaAnchor } from '../media/no-media-anchor';
import { intake } from '../sip/intake';
import type { LocalAddress } from '../sip/route';
import type { Destination, Remote, SipTransport } from '../transport/sip-transport';
import { createCallRunner } from './call-runner';
import { createRelayContext, type RelayContext } from './context';
import { createInDialogRunner } from './in-dialog-runner';
import { createReceiver } from './receive';

/** Ports of the synthetic parties; nothing is bound, the transport only records. */
const RELAY = 5060;
const UAC = 5070;
const UAS = 5080;
const HIGH = { max_concurrent_calls: 1_000_000, max_cps: 100_000 };
const id = (n: number) => `3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d1${n}`;
const SDP =
  'v=0\r\no=tandem 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

function decideAnswer(limits: boolean): string {
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
    ...(limits ? { limits: HIGH } : {}),
  });
  return JSON.stringify({
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
    ...(limits
      ? {
          limits: [
            { scope: 'ipbx', id: id(5), limits: HIGH },
            { scope: 'customer', id: id(0), limits: HIGH },
          ],
        }
      : {}),
  });
}

export type SyntheticCalls = {
  /** The relay context the calls run through (its own: memory dialogs, admission and records). */
  readonly ctx: RelayContext;
  /**
   * One call: INVITE in, 100 and INVITE out, 200 in and out, ACK in and out, then (unless `hold`)
   * BYE in and out, 200 in and out. Throws when the relay sent anything else.
   */
  call(n: number, hold?: boolean): Promise<void>;
  /** Stops the context's timers (lingering transactions). */
  close(): void;
};

/**
 * The relay's own call path without sockets, HTTP or disk: the pieces startRelay wires (intake,
 * receiver, transactions, call runner, in-dialog runner) around a transport that records what would
 * be sent, a decision that parses a fixed answer with the contract (what the HTTP client does once
 * the bytes arrive), and memory dialogs, admission and records. What a relay warms itself up with
 * before it takes calls (warm-up.ts), and what `npm run bench:sip:core` measures.
 *
 * @example
 * const calls = createSyntheticCalls();
 * for (let n = 0; n < 1000; n++) await calls.call(n);
 * calls.close();
 */
export function createSyntheticCalls(options: { log?: Logger; limits?: boolean } = {}): SyntheticCalls {
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
  const answer = decideAnswer(options.limits === true);
  const config = relayConfig.parse({
    address: '127.0.0.1',
    port: RELAY,
    decideUrl: 'http://127.0.0.1:1/v1/routing/decide',
    relayToken: 'synthetic',
    logLevel: 'silent',
  });
  const ctx = createRelayContext({
    config,
    local,
    transport,
    decision: { decide: async () => decideResponse.parse(JSON.parse(answer)) },
    dialogs: createMemoryDialogStore(),
    media: noMediaAnchor,
    log: options.log ?? createLogger('silent'),
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

  async function call(n: number, hold = false): Promise<void> {
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
      `INVITE sip:+15551230000@127.0.0.1:${RELAY} SIP/2.0\r\n${head('INVITE', 1, `z9hG4bK-${n}-1`, to)}\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`,
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
      `Content-Length: ${SDP.length}`,
      '',
      SDP,
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
    if (hold) return;
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
    if (sent.length > 0)
      throw new Error(`left over: ${sent.map((s) => s.data.split('\r\n')[0]).join(' | ')}`);
  }

  return { ctx, call, close: () => ctx.transactions.close() };
}
