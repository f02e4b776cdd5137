import { describe, expect, it } from 'vitest';
import { parseBaresipTrace } from './support/baresip';
import { parseLinphoneLog } from './support/linphone';
import { headerValues, parseSippTrace, summary } from './support/sip-trace';

// The parsers the interop tests read the carrier and the UAs with, on excerpts of real output:
// a leaked Proxy-Authorization must be found wherever it is.

const sipp = `----------------------------------------------- 2026-12-05 08:57:59.719328
UDP message received [919] bytes :

INVITE sip:+821012345678@127.0.0.1:5060 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1
Call-ID: abc
CSeq: 2 INVITE
Content-Length: 0


----------------------------------------------- 2026-12-05 08:57:59.720217
UDP message sent (324 bytes):

SIP/2.0 200 OK
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1
CSeq: 2 INVITE
Content-Length: 0


----------------------------------------------- 2026-12-05 08:57:59.723312
TCP message received [362] bytes :

BYE sip:127.0.0.1:41010;transport=UDP SIP/2.0
proxy-authorization: Digest username="pbx", realm="r", nonce="n", uri="sip:x", response="0"
CSeq: 3 BYE
Content-Length: 0

`;

describe('interop trace parsers', () => {
  it('reads sipp -trace_msg blocks both ways, headers case-insensitively', () => {
    const messages = parseSippTrace(sipp);
    expect(summary(messages)).toBe('received INVITE\nsent 200 (INVITE)\nreceived BYE');
    expect(headerValues(messages[0]!.raw, 'Proxy-Authorization')).toEqual([]);
    expect(headerValues(messages[2]!.raw, 'Proxy-Authorization')).toHaveLength(1);
  });

  it('reads baresip -s output (ANSI-coloured), sent = to the relay', () => {
    const out =
      'call: connecting..\n\x1b[36;1m#\nUDP 127.0.0.1:40001 -> 127.0.0.1:5060\nINVITE sip:+82@pbx.example SIP/2.0\nCSeq: 1 INVITE\nContent-Length: 0\n\n\x1b[;m\n' +
      '\x1b[36;1m#\nTCP 127.0.0.1:5060 -> 127.0.0.1:51234\nSIP/2.0 407 Proxy Authentication Required\nCSeq: 1 INVITE\nProxy-Authenticate: Digest realm="pbx.example"\n\n\x1b[;m\n';
    const messages = parseBaresipTrace(out, 5060);
    expect(summary(messages)).toBe('sent INVITE\nreceived 407 (INVITE)');
    expect(headerValues(messages[1]!.raw, 'Proxy-Authenticate')).toEqual(['Digest realm="pbx.example"']);
  });

  it('reads belle-sip log lines, several messages in one stream read', () => {
    const log = [
      '2026-12-05 08:59:49:912 belle-sip-message-channel [0x1]: message sent to [UDP://127.0.0.1:41010], size: [1153] bytes',
      'BYE sip:127.0.0.1:41010 SIP/2.0',
      'Proxy-Authorization: Digest username="pbx"',
      'CSeq: 21 BYE',
      '',
      '2026-12-05 08:59:49:924 belle-sip-message-channel [0x1]: received [300] new bytes from [TCP://127.0.0.1:41010]:',
      'SIP/2.0 100 Trying',
      'CSeq: 21 BYE',
      '',
      'SIP/2.0 200 OK',
      'CSeq: 21 BYE',
      '',
      '2026-12-05 08:59:49:925 liblinphone-message-something else',
    ].join('\n');
    const messages = parseLinphoneLog(log);
    expect(summary(messages)).toBe('sent BYE\nreceived 100 (BYE)\nreceived 200 (BYE)');
    expect(headerValues(messages[0]!.raw, 'Proxy-Authorization')).toHaveLength(1);
  });
});
