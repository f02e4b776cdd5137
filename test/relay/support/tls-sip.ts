import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';

/** One SIP message as the test peers read it: start line, headers in order, body. */
export type SipText = { start: string; headers: [name: string, value: string][]; body: string };

const COMPACT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', l: 'content-length' };
const keyOf = (name: string) => COMPACT[name.toLowerCase()] ?? name.toLowerCase();

/** The first value of a header (compact forms understood). */
export function headerOf(message: SipText, name: string): string | undefined {
  return message.headers.find(([n]) => keyOf(n) === name.toLowerCase())?.[1];
}

/** Every value of a header, in order. */
export function headersOf(message: SipText, name: string): string[] {
  return message.headers.filter(([n]) => keyOf(n) === name.toLowerCase()).map(([, v]) => v);
}

/** Frames a TCP/TLS byte stream into SIP messages by Content-Length (just enough for tests). */
export function sipReader(onMessage: (message: SipText) => void): (chunk: Buffer) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.toString('latin1');
    for (;;) {
      buffer = buffer.replace(/^(\r\n)+/, '');
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [start = '', ...lines] = buffer.slice(0, end).split('\r\n');
      const headers = lines.map((line): [string, string] => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
      });
      const length = Number(headers.find(([n]) => keyOf(n) === 'content-length')?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      const body = buffer.slice(end + 4, end + 4 + length);
      buffer = buffer.slice(end + 4 + length);
      onMessage({ start, headers, body });
    }
  };
}

/** Serializes a message; Content-Length is written from the body. */
export function sipText(start: string, headers: [string, string][], body = ''): string {
  const lines = [
    start,
    ...headers.map(([n, v]) => `${n}: ${v}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** A response to `request` (Vias, From, To with `toTag`, Call-ID, CSeq and Record-Route copied). */
export function responseTo(
  request: SipText,
  status: string,
  extra: [string, string][] = [],
  options: { toTag?: string; body?: string } = {},
): string {
  const copied = request.headers.filter(([n]) =>
    ['via', 'from', 'call-id', 'cseq', 'record-route'].includes(keyOf(n)),
  );
  const to = headerOf(request, 'to') ?? '';
  const tagged = options.toTag && !/;tag=/i.test(to) ? `${to};tag=${options.toTag}` : to;
  return sipText(`SIP/2.0 ${status}`, [...copied, ['To', tagged], ...extra], options.body);
}

export type TlsUas = {
  readonly port: number;
  /** Request methods received, in order (across connections). */
  readonly requests: string[];
  /** The SNI each client sent on a completed handshake (false: none). */
  readonly servernames: (string | false)[];
  close(): Promise<void>;
};

/**
 * A carrier over SIP/TLS for tests (the Debian sipp has no TLS): answers INVITE with `answer`
 * (200 OK with SDP by default) and BYE, CANCEL, OPTIONS with 200; takes ACKs silently.
 *
 * @example
 * const uas = await startTlsUas({ cert: carrier.cert, key: carrier.key });
 */
export async function startTlsUas(options: {
  cert: string;
  key: string;
  host?: string;
  answer?: string;
}): Promise<TlsUas> {
  const host = options.host ?? '127.0.0.1';
  const requests: string[] = [];
  const servernames: (string | false)[] = [];
  const sockets = new Set<TLSSocket>();
  const server = createServer({ cert: options.cert, key: options.key }, (socket) => {
    sockets.add(socket);
    servernames.push(socket.servername ?? false);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const port = (server.address() as AddressInfo).port;
    const tag = randomBytes(4).toString('hex');
    socket.on(
      'data',
      sipReader((message) => {
        if (message.start.startsWith('SIP/2.0')) return;
        const method = message.start.split(' ')[0] ?? '';
        requests.push(method);
        if (method === 'ACK') return;
        if (method !== 'INVITE') {
          socket.write(responseTo(message, '200 OK', [], { toTag: tag }));
          return;
        }
        const answer = options.answer ?? '200 OK';
        if (!answer.startsWith('200')) {
          socket.write(responseTo(message, answer, [], { toTag: tag }));
          return;
        }
        const sdp = `v=0\r\no=uas 1 1 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
        const contact: [string, string] = ['Contact', `<sip:uas@${host}:${port};transport=tls>`];
        socket.write(
          responseTo(message, answer, [contact, ['Content-Type', 'application/sdp']], {
            toTag: tag,
            body: sdp,
          }),
        );
      }),
    );
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    servernames,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A TLS connection to the relay as an IPBX or carrier would open it, optionally with a client certificate. */
export async function tlsPeer(options: {
  port: number;
  ca: string;
  cert?: { cert: string; key: string };
}): Promise<{ socket: TLSSocket; next(): Promise<SipText>; close(): void }> {
  const socket = connect({
    host: '127.0.0.1',
    port: options.port,
    ca: options.ca,
    ...(options.cert ? { cert: options.cert.cert, key: options.cert.key } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  const queue: SipText[] = [];
  const waiters: ((m: SipText) => void)[] = [];
  socket.on(
    'data',
    sipReader((m) => {
      const waiter = waiters.shift();
      if (waiter) waiter(m);
      else queue.push(m);
    }),
  );
  return {
    socket,
    next: () => {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise<SipText>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no SIP message within 10 s')), 10_000);
        waiters.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
    close: () => socket.destroy(),
  };
}
