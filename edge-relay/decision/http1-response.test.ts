import { describe, expect, it } from 'vitest';
import { HttpPoolError } from './http1-error';
import { readAnswer } from './http1-response';

const bytes = (text: string) => Buffer.from(text, 'latin1');
const read = (text: string, ended = false) => readAnswer(bytes(text), ended);
/** A complete keep-alive answer with nothing after it, unless `over` says otherwise. */
const answer = (status: number, body: string, over: { keepAlive?: boolean; rest?: number } = {}) => ({
  status,
  body,
  keepAlive: true,
  rest: 0,
  ...over,
});
const problem = (text: string) => {
  const result = read(text);
  return result instanceof HttpPoolError ? `${result.name}: ${result.message}` : result;
};

describe('readAnswer', () => {
  it('reads a Content-Length body, keep-alive by default in HTTP/1.1', () => {
    expect(read('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}')).toEqual(answer(200, '{}'));
  });

  it('waits for the rest of the head or the body', () => {
    expect(read('HTTP/1.1 200 OK\r\nContent-Len')).toBeUndefined();
    expect(read('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab')).toBeUndefined();
  });

  it('decodes the body as UTF-8 and counts bytes after it', () => {
    const body = Buffer.from('"é"', 'utf8');
    const raw = Buffer.concat([
      bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`),
      body,
      bytes('xy'),
    ]);
    expect(readAnswer(raw, false)).toEqual(answer(200, '"é"', { rest: 2 }));
  });

  it('reads chunked bodies with extensions and trailers, waiting for the last chunk', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    expect(read(`${head}3;x=1\r\nabc\r\n2\r\nde\r\n`)).toBeUndefined();
    expect(read(`${head}3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n`)).toEqual(answer(200, 'abcde'));
  });

  it('skips 1xx answers', () => {
    expect(read('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n')).toEqual(answer(204, ''));
  });

  it('follows Connection and the HTTP version for keep-alive', () => {
    expect(read('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')).toMatchObject({
      keepAlive: false,
    });
    expect(read('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')).toMatchObject({ keepAlive: false });
    expect(read('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n')).toMatchObject({
      keepAlive: true,
    });
  });

  it('ends a body without length when the server closes', () => {
    const raw = 'HTTP/1.1 200 OK\r\n\r\n{"a":1}';
    expect(read(raw)).toBeUndefined();
    expect(read(raw, true)).toEqual(answer(200, '{"a":1}', { keepAlive: false }));
  });

  it('refuses what is not HTTP/1.x or is malformed', () => {
    expect(problem('SIP/2.0 200 OK\r\n\r\n')).toBe('HttpProtocolError: not an HTTP/1.x status line');
    expect(problem('HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n')).toBe(
      'HttpProtocolError: bad Content-Length',
    );
    expect(problem('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toBe(
      'HttpProtocolError: bad chunk size',
    );
    expect(problem(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(64 * 1024)}`)).toBe(
      'HttpProtocolError: header section too large',
    );
  });
});
