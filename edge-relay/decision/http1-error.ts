/** Why a request got no answer: `TimeoutError` (deadline), `HttpProtocolError` or the socket's own error. */
export class HttpPoolError extends Error {
  constructor(name: 'TimeoutError' | 'HttpProtocolError' | 'ClosedError', message: string) {
    super(message);
    this.name = name;
  }
}
