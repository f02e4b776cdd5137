import { createSocket, type Socket } from 'node:dgram';

/** A received SIP message, just parsed enough to script a peer. */
export type SipMessage = {
  readonly raw: string;
  readonly method: string | null;
  readonly status: number | null;
  readonly uri: string | null;
  /** Header values by lower-case long name, in order received. */
  readonly headers: ReadonlyMap<string, string[]>;
  readonly body: string;
};

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
};

export function parseSip(raw: string): SipMessage {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const [first = '', ...lines] = head.split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    const values = headers.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(name, values);
  }
  const response = /^SIP\/2\.0 (\d{3})/.exec(first);
  const request = /^([A-Z]+) (\S+) SIP\/2\.0/.exec(first);
  return {
    raw,
    method: request ? request[1]! : null,
    uri: request ? request[2]! : null,
    status: response ? Number(response[1]) : null,
    headers,
    body,
  };
}

export const sipHeader = (m: SipMessage, name: string): string => m.headers.get(name)?.[0] ?? '';
export const sipTag = (value: string): string | undefined => /;tag=([^;>\s]+)/.exec(value)?.[1];
/** The URI inside a name-addr (`"x" <sip:a@b>;tag=1` → `sip:a@b`). */
export const sipUri = (value: string): string => /<([^>]+)>/.exec(value)?.[1] ?? value.split(';')[0]!.trim();
/** CSeq method of a response (or request). */
export const cseqMethod = (m: SipMessage): string => sipHeader(m, 'cseq').split(/\s+/)[1] ?? '';

/**
 * A SIP UA on one UDP socket for scripting an IPBX or a provider by hand
 * (full control over SDP, tags and timing, unlike sipp). Messages wait in an
 * inbox until a `next()` predicate takes them.
 *
 * @example
 * const provider = await createSipPeer();
 * const invite = await provider.next((m) => m.method === 'INVITE');
 * provider.reply(invite, 200, { toTag: 'p1', sdp });
 */
export type SipPeer = {
  readonly port: number;
  send(raw: string, to: { host: string; port: number }): void;
  /** The first received message matching `match` (oldest first), waiting up to `timeoutMs`. */
  next(match: (m: SipMessage) => boolean, timeoutMs?: number): Promise<SipMessage>;
  /** Answers a request received from `to` (the relay): copies Via, From, To (+tag), Call-ID, CSeq, Record-Route. */
  reply(
    request: SipMessage,
    status: number,
    options: { to: { host: string; port: number }; toTag?: string; sdp?: string },
  ): void;
  close(): Promise<void>;
};

const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  487: 'Request Terminated',
  503: 'Service Unavailable',
};

export async function createSipPeer(host = '127.0.0.1'): Promise<SipPeer> {
  const socket: Socket = createSocket('udp4');
  const inbox: SipMessage[] = [];
  const waiters: { match: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }[] = [];
  socket.on('message', (data) => {
    const message = parseSip(data.toString('latin1'));
    const i = waiters.findIndex((w) => w.match(message));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(message);
    else inbox.push(message);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const port = socket.address().port;
  const send = (raw: string, to: { host: string; port: number }) =>
    socket.send(Buffer.from(raw, 'latin1'), to.port, to.host);
  return {
    port,
    send,
    next(match, timeoutMs = 3_000) {
      const i = inbox.findIndex(match);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (m: SipMessage) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`sip peer ${port}: nothing matching within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    reply(request, status, { to, toTag, sdp }) {
      const h = (name: string) => request.headers.get(name) ?? [];
      const toValue = sipHeader(request, 'to');
      const lines = [
        `SIP/2.0 ${status} ${REASONS[status] ?? 'Other'}`,
        ...h('via').map((v) => `Via: ${v}`),
        ...h('record-route').map((v) => `Record-Route: ${v}`),
        `From: ${sipHeader(request, 'from')}`,
        `To: ${toTag && !sipTag(toValue) ? `${toValue};tag=${toTag}` : toValue}`,
        `Call-ID: ${sipHeader(request, 'call-id')}`,
        `CSeq: ${sipHeader(request, 'cseq')}`,
        `Contact: <sip:peer@${host}:${port}>`,
      ];
      send(withBody(lines, sdp), to);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Joins header lines and an optional SDP body with the right Content-Type / Content-Length. */
export function withBody(lines: string[], sdp?: string): string {
  const body = sdp ?? '';
  const extra = sdp ? ['Content-Type: application/sdp'] : [];
  return `${[...lines, ...extra, `Content-Length: ${Buffer.byteLength(body, 'latin1')}`].join('\r\n')}\r\n\r\n${body}`;
}

export const newBranch = () => `z9hG4bK${Math.random().toString(36).slice(2)}`;

type Address = { host: string; port: number };

/** One call placed by a scripted IPBX through the relay: INVITE, then ACK / CANCEL / BYE in its dialog. */
export type OutgoingCall = {
  readonly callId: string;
  /** The final response to the INVITE (ACKed already: non-2xx on the relay's transaction, 2xx end to end). */
  final(timeoutMs?: number): Promise<SipMessage>;
  cancel(): void;
  /** BYE from the caller in the established dialog; resolves with the response. */
  bye(): Promise<SipMessage>;
};

/**
 * Sends an INVITE with `sdp` from `caller` to the relay for `service`.
 *
 * @example
 * const call = placeCall(ipbx, relay, { service: '+3110', sdp });
 * const ok = await call.final(); // 200, ACKed
 * await call.bye();
 */
export function placeCall(
  caller: SipPeer,
  relay: Address,
  options: { service: string; sdp: string; callId?: string },
): OutgoingCall {
  const callId = options.callId ?? `${Math.random().toString(36).slice(2)}@ipbx.test`;
  const fromTag = `ipbx${Math.random().toString(36).slice(2, 8)}`;
  const branch = newBranch();
  const uri = `sip:${options.service}@${relay.host}:${relay.port}`;
  const from = `<sip:+14155550100@127.0.0.1:${caller.port}>;tag=${fromTag}`;
  const via = (b: string) => `Via: SIP/2.0/UDP 127.0.0.1:${caller.port};branch=${b};rport`;
  const common = (cseq: string) => [
    `From: ${from}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
    'Max-Forwards: 70',
  ];
  caller.send(
    withBody(
      [
        `INVITE ${uri} SIP/2.0`,
        via(branch),
        `To: <sip:${options.service}@127.0.0.1>`,
        ...common('1 INVITE'),
        `Contact: <sip:ipbx@127.0.0.1:${caller.port}>`,
      ],
      options.sdp,
    ),
    relay,
  );
  let dialog: { to: string; target: string; routes: string[] } | undefined;
  const ours = (m: SipMessage) => sipHeader(m, 'call-id') === callId;
  return {
    callId,
    async final(timeoutMs = 5_000) {
      const final = await caller.next(
        (m) => ours(m) && (m.status ?? 0) >= 200 && cseqMethod(m) === 'INVITE',
        timeoutMs,
      );
      const to = sipHeader(final, 'to');
      if (final.status! < 300) {
        const routes = [...(final.headers.get('record-route') ?? [])].reverse();
        dialog = { to, target: sipUri(sipHeader(final, 'contact')), routes };
        caller.send(
          withBody([
            `ACK ${dialog.target} SIP/2.0`,
            via(newBranch()),
            ...routes.map((r) => `Route: ${r}`),
            `To: ${to}`,
            ...common('1 ACK'),
          ]),
          relay,
        );
      } else {
        caller.send(withBody([`ACK ${uri} SIP/2.0`, via(branch), `To: ${to}`, ...common('1 ACK')]), relay);
      }
      return final;
    },
    cancel() {
      caller.send(
        withBody([
          `CANCEL ${uri} SIP/2.0`,
          via(branch),
          `To: <sip:${options.service}@127.0.0.1>`,
          ...common('1 CANCEL'),
        ]),
        relay,
      );
    },
    async bye() {
      if (!dialog) throw new Error('bye() before a 2xx final()');
      caller.send(
        withBody([
          `BYE ${dialog.target} SIP/2.0`,
          via(newBranch()),
          ...dialog.routes.map((r) => `Route: ${r}`),
          `To: ${dialog.to}`,
          ...common('2 BYE'),
        ]),
        relay,
      );
      return caller.next((m) => ours(m) && m.status !== null && cseqMethod(m) === 'BYE');
    },
  };
}

/**
 * A request from the callee (a provider) in the dialog its 2xx to `invite`
 * created (BYE, re-INVITE with `sdp`); resolves with the final response
 * (a 2xx to a re-INVITE is ACKed).
 */
export async function requestFromCallee(
  callee: SipPeer,
  relay: Address,
  invite: SipMessage,
  options: { method: 'BYE' | 'INVITE'; toTag: string; cseq: number; sdp?: string },
): Promise<SipMessage> {
  const callId = sipHeader(invite, 'call-id');
  const to = sipHeader(invite, 'to');
  const target = sipUri(sipHeader(invite, 'contact'));
  const lines = (method: string, cseq: number) => [
    `${method} ${target} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${callee.port};branch=${newBranch()};rport`,
    ...(invite.headers.get('record-route') ?? []).map((r) => `Route: ${r}`),
    `From: ${sipTag(to) ? to : `${to};tag=${options.toTag}`}`,
    `To: ${sipHeader(invite, 'from')}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${method}`,
    'Max-Forwards: 70',
    `Contact: <sip:peer@127.0.0.1:${callee.port}>`,
  ];
  callee.send(withBody(lines(options.method, options.cseq), options.sdp), relay);
  const final = await callee.next(
    (m) =>
      sipHeader(m, 'call-id') === callId &&
      (m.status ?? 0) >= 200 &&
      sipHeader(m, 'cseq') === `${options.cseq} ${options.method}`,
  );
  if (options.method === 'INVITE' && final.status! < 300)
    callee.send(withBody(lines('ACK', options.cseq)), relay);
  return final;
}

/** BYE from the callee (a provider) in the dialog its 2xx to `invite` created; resolves with the response. */
export const byeFromCallee = (callee: SipPeer, relay: Address, invite: SipMessage, toTag: string) =>
  requestFromCallee(callee, relay, invite, { method: 'BYE', toTag, cseq: 1 });

/** The next INVITE (or other request) of a call reaching a peer. */
export const nextRequest = (peer: SipPeer, method: string, callId?: string, timeoutMs?: number) =>
  peer.next(
    (m) => m.method === method && (callId === undefined || sipHeader(m, 'call-id') === callId),
    timeoutMs,
  );
