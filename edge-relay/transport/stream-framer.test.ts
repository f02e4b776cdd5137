import { describe, expect, it } from 'vitest';
import { createStreamFramer } from './stream-framer';

const msg = (body: string) => `MESSAGE sip:a@b SIP/2.0\r\nl: ${body.length}\r\n\r\n${body}`;

describe('stream framing by Content-Length', () => {
  it('cuts messages split across chunks and glued together', () => {
    const out: string[] = [];
    const feed = createStreamFramer(
      (m) => out.push(m),
      () => out.push('overflow'),
    );
    const stream = `\r\n\r\n${msg('hello')}${msg('')}${msg('x'.repeat(10))}`;
    for (let i = 0; i < stream.length; i += 7) feed(stream.slice(i, i + 7));
    expect(out).toEqual([msg('hello'), msg(''), msg('x'.repeat(10))]);
  });

  it('gives up on a header block that never ends', () => {
    const out: string[] = [];
    const feed = createStreamFramer(
      (m) => out.push(m),
      () => out.push('overflow'),
      100,
    );
    feed('INVITE sip:a@b SIP/2.0\r\n'.repeat(10));
    expect(out).toEqual(['overflow']);
  });
});
