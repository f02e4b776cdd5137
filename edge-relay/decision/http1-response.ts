/**
 * The HTTP/1.1 response reader of http1-pool.ts (why by hand: see there): status line,
 * `Content-Length`, chunked and close-delimited bodies, from the bytes a connection received.
 */
import { HttpPoolError } from './http1-error';

const CRLF2 = Buffer.from('\r\n\r\n');

/** `rest`: bytes after the answer (none is expected: one request in flight per connection). */
export type Answer = { status: number; body: string; keepAlive: boolean; rest: number };

/**
 * One complete HTTP/1.x response at the start of `buffer`, undefined while
 * incomplete. `ended`: the server closed, so a body without length ends here.
 */
export function readAnswer(buffer: Buffer, ended: boolean): Answer | HttpPoolError | undefined {
  let start = 0;
  for (;;) {
    const end = buffer.indexOf(CRLF2, start);
    if (end < 0) return buffer.length - start > 64 * 1024 ? protocol('header section too large') : undefined;
    const headText = buffer.toString('latin1', start, end);
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(headText);
    if (!status) return protocol('not an HTTP/1.x status line');
    const code = Number(status[2]);
    const bodyStart = end + 4;
    // 1xx (100 Continue, 103): skipped, the real answer follows.
    if (code < 200) {
      start = bodyStart;
      continue;
    }
    let length: number | undefined;
    let chunked = false;
    let keepAlive = status[1] === '1';
    for (const line of headText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value)) return protocol('bad Content-Length');
        length = Number(value);
      } else if (name === 'transfer-encoding') chunked = value.split(',').pop()?.trim() === 'chunked';
      else if (name === 'connection') {
        if (value.includes('close')) keepAlive = false;
        else if (value.includes('keep-alive')) keepAlive = true;
      }
    }
    if (code === 204 || code === 304)
      return { status: code, body: '', keepAlive, rest: buffer.length - bodyStart };
    if (chunked) {
      const decoded = readChunked(buffer, bodyStart);
      if (decoded === undefined || decoded instanceof HttpPoolError) return decoded;
      return { status: code, body: decoded.body, keepAlive, rest: buffer.length - decoded.end };
    }
    if (length !== undefined) {
      if (buffer.length - bodyStart < length) return undefined;
      const body = buffer.toString('utf8', bodyStart, bodyStart + length);
      return { status: code, body, keepAlive, rest: buffer.length - bodyStart - length };
    }
    // Neither: the body runs until the server closes (RFC 9112 §6.3 step 8).
    if (!ended) return undefined;
    return { status: code, body: buffer.toString('utf8', bodyStart), keepAlive: false, rest: 0 };
  }
}

function readChunked(
  buffer: Buffer,
  from: number,
): { body: string; end: number } | HttpPoolError | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) return undefined;
    const sizeText = buffer.toString('latin1', at, lineEnd).split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return protocol('bad chunk size');
    const size = Number.parseInt(sizeText, 16);
    at = lineEnd + 2;
    if (size === 0) {
      // Trailers (ignored) end with an empty line.
      for (;;) {
        const trailerEnd = buffer.indexOf('\r\n', at, 'latin1');
        if (trailerEnd < 0) return undefined;
        const empty = trailerEnd === at;
        at = trailerEnd + 2;
        if (empty) return { body: Buffer.concat(parts).toString('utf8'), end: at };
      }
    }
    if (buffer.length < at + size + 2) return undefined;
    parts.push(buffer.subarray(at, at + size));
    at += size + 2;
  }
}

function protocol(message: string): HttpPoolError {
  return new HttpPoolError('HttpProtocolError', message);
}
