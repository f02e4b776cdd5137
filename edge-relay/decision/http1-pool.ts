import { isIP, connect as netConnect, type Socket } from 'node:net';
import { rootCertificates, connect as tlsConnect } from 'node:tls';
import { HttpPoolError } from './http1-error';
import { readAnswer } from './http1-response';

export type HttpAnswer = { status: number; body: string };

type Request = {
  data: string;
  resolve: (answer: HttpAnswer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  conn: Conn | undefined;
  /** Sent once more on a new connection after a reused one closed before answering. */
  retried: boolean;
  settled: boolean;
};

type Conn = {
  socket: Socket;
  request: Request | undefined;
  /** Bytes of the current response so far. */
  buffer: Buffer | undefined;
  /** It answered a request before: a close before the first byte may be a keep-alive race. */
  reused: boolean;
  idleSince: number;
  closed: boolean;
};

export type Http1PoolOptions = {
  url: URL;
  /** Extra request headers, written once into the request head template. */
  headers: Record<string, string>;
  timeoutMs: number;
  maxSockets: number;
  /** An idle connection older than this is closed instead of reused (below the server's keep-alive timeout). */
  idleMs?: number;
  /** PEM of a private CA to trust for https (certificates are always verified). */
  ca?: string;
};

/**
 * A minimal HTTP/1.1 client for one origin: POST with a JSON body over
 * pooled keep-alive connections (plain TCP or TLS), one request in flight per
 * connection, a deadline per request. It exists because node:http's client
 * (ClientRequest, Agent, the llhttp parser, streams, a dozen listeners per
 * request) cost ~0.5 ms of CPU per decide, more than everything else the relay
 * does for a call; this writes one pre-built head + body per request and
 * reads `Content-Length` or chunked answers by hand.
 *
 * A reused connection that closes before the first byte of its answer (the
 * server's keep-alive timeout racing our write) gets the request once more on a
 * new connection; the decide request has no side effects.
 *
 * @example
 * const pool = createHttp1Pool({ url: new URL('http://127.0.0.1:8080/v1/routing/decide'), headers: {}, timeoutMs: 800, maxSockets: 64 });
 * const { status, body } = await pool.post('{"call_id":"a"}');
 */
export function createHttp1Pool(options: Http1PoolOptions) {
  const { url } = options;
  const tls = url.protocol === 'https:';
  const port = Number(url.port) || (tls ? 443 : 80);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const idleMs = options.idleMs ?? 4_000;
  const head =
    `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
    Object.entries(options.headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    'Content-Type: application/json\r\nConnection: keep-alive\r\nContent-Length: ';
  const idle: Conn[] = [];
  const all = new Set<Conn>();
  /** One read buffer for every connection of the pool: answers are parsed (and copied) before the next read. */
  const readBuffer = Buffer.allocUnsafe(64 * 1024);
  const waiting: Request[] = [];
  let open = 0;
  let closing = false;

  function post(body: string): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const request: Request = {
        data: `${head}${Buffer.byteLength(body)}\r\n\r\n${body}`,
        resolve,
        reject,
        timer: undefined,
        conn: undefined,
        retried: false,
        settled: false,
      };
      request.timer = setTimeout(() => onDeadline(request), options.timeoutMs);
      if (closing) fail(request, new HttpPoolError('ClosedError', 'client closed'));
      else dispatch(request);
    });
  }

  function dispatch(request: Request): void {
    const now = Date.now();
    let conn = idle.pop();
    while (conn && now - conn.idleSince > idleMs) {
      conn.socket.destroy();
      conn = idle.pop();
    }
    if (!conn) {
      if (open >= options.maxSockets) {
        waiting.push(request);
        return;
      }
      conn = connect();
    }
    send(conn, request);
  }

  function send(conn: Conn, request: Request): void {
    conn.request = request;
    conn.buffer = undefined;
    request.conn = conn;
    conn.socket.write(request.data);
  }

  function connect(): Conn {
    open++;
    // Plain TCP reads into one reused buffer (`onread`), bypassing the stream machinery (Readable,
    // 'data' events) for every answer; the bytes are copied only when an answer spans reads.
    const socket = tls
      ? tlsConnect({
          host,
          port,
          ...(isIP(host) ? {} : { servername: host }),
          ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
        })
      : netConnect({
          port,
          host,
          onread: { buffer: readBuffer, callback: (n, buf) => onRead(conn, n, buf) },
        });
    socket.setNoDelay(true);
    const conn: Conn = {
      socket,
      request: undefined,
      buffer: undefined,
      reused: false,
      idleSince: 0,
      closed: false,
    };
    all.add(conn);
    if (tls) socket.on('data', (chunk: Buffer) => onData(conn, chunk));
    socket.on('error', (error) => onClose(conn, error));
    socket.on('close', () => onClose(conn, new HttpPoolError('ClosedError', 'connection closed')));
    socket.on('end', () => onEnd(conn));
    return conn;
  }

  function onRead(conn: Conn, n: number, buf: Uint8Array): boolean {
    const view = Buffer.from(buf.buffer, buf.byteOffset, n);
    onData(conn, view, true);
    return true;
  }

  /** `shared`: `chunk` is the reused read buffer; what must outlive this call is copied. */
  function onData(conn: Conn, chunk: Buffer, shared = false): void {
    conn.buffer = conn.buffer ? Buffer.concat([conn.buffer, chunk]) : chunk;
    const request = conn.request;
    if (!request) {
      conn.socket.destroy(); // bytes nobody asked for: the connection cannot be trusted any more
      return;
    }
    const answer = readAnswer(conn.buffer, false);
    if (answer === undefined) {
      if (shared && conn.buffer === chunk) conn.buffer = Buffer.from(chunk);
      return;
    }
    if (answer instanceof HttpPoolError) {
      conn.socket.destroy();
      fail(request, answer);
      return;
    }
    conn.request = undefined;
    conn.buffer = undefined;
    request.conn = undefined;
    settle(request, { status: answer.status, body: answer.body });
    if (!answer.keepAlive || answer.rest > 0) {
      conn.socket.destroy();
      return;
    }
    conn.reused = true;
    const next = waiting.shift();
    if (next) send(conn, next);
    else {
      conn.idleSince = Date.now();
      idle.push(conn);
    }
  }

  /** The server closed its side: a body delimited by the close is complete now. */
  function onEnd(conn: Conn): void {
    const request = conn.request;
    if (request && conn.buffer) {
      const answer = readAnswer(conn.buffer, true);
      if (answer && !(answer instanceof HttpPoolError)) {
        conn.request = undefined;
        settle(request, { status: answer.status, body: answer.body });
      }
    }
    conn.socket.destroy();
  }

  function onClose(conn: Conn, error: Error): void {
    if (!conn.closed) {
      conn.closed = true;
      open--;
      all.delete(conn);
      const at = idle.indexOf(conn);
      if (at >= 0) idle.splice(at, 1);
    }
    const request = conn.request;
    conn.request = undefined;
    if (request && !request.settled) {
      request.conn = undefined;
      if (conn.reused && conn.buffer === undefined && !request.retried && !closing) {
        request.retried = true;
        dispatch(request);
      } else fail(request, error);
    }
    // A freed slot lets a queued request open its own connection.
    if (!closing && waiting.length > 0 && open < options.maxSockets) send(connect(), waiting.shift()!);
  }

  function onDeadline(request: Request): void {
    request.timer = undefined;
    const queued = waiting.indexOf(request);
    if (queued >= 0) waiting.splice(queued, 1);
    fail(request, new HttpPoolError('TimeoutError', `no answer within ${options.timeoutMs} ms`));
    // Its answer may still come on that connection: the connection is given up with the request.
    if (request.conn) {
      request.conn.request = undefined;
      request.conn.socket.destroy();
    }
  }

  function settle(request: Request, answer: HttpAnswer): void {
    if (request.settled) return;
    request.settled = true;
    clearTimeout(request.timer);
    request.resolve(answer);
  }

  function fail(request: Request, error: Error): void {
    if (request.settled) return;
    request.settled = true;
    clearTimeout(request.timer);
    request.reject(error);
  }

  return {
    post,
    /** Connections open now (idle or busy). */
    get open() {
      return open;
    },
    close(): void {
      closing = true;
      for (const request of waiting.splice(0))
        fail(request, new HttpPoolError('ClosedError', 'client closed'));
      idle.length = 0;
      for (const conn of all) conn.socket.destroy();
    },
  };
}
