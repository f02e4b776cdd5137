import { describe, expect, it } from 'vitest';
import { intake } from './intake';

const remote = { transport: 'udp', address: '192.0.2.1', port: 5060 } as const;
const base = [
  'INVITE sip:+15551234567@relay.example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport',
  'Max-Forwards: 70',
  'From: <sip:100@pbx.example.com>;tag=a1',
  'To: <sip:+15551234567@relay.example.com>',
  'Call-ID: c1@pbx',
  'CSeq: 1 INVITE',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');
const edit = (from: string, to: string) => base.replace(from, to);

describe('intake', () => {
  it('hands a valid request to the proxy unchanged', () => {
    const outcome = intake(base, remote);
    expect(outcome.kind).toBe('message');
    expect(outcome.kind === 'message' && outcome.message.headers.map((h) => h.name)).toEqual([
      'Via',
      'Max-Forwards',
      'From',
      'To',
      'Call-ID',
      'CSeq',
      'Content-Length',
    ]);
  });

  it('answers an invalid request with 400 naming the problem', () => {
    const outcome = intake(edit('CSeq: 1 INVITE', 'CSeq: x INVITE'), remote);
    expect(outcome.kind === 'reply' && outcome.raw.split('\r\n')[0]).toBe(
      'SIP/2.0 400 Bad CSeq Header: Not a number and a method',
    );
  });

  it('never answers an ACK and drops what has no Via', () => {
    const ack = edit('INVITE sip', 'ACK sip')
      .replace('CSeq: 1 INVITE', 'CSeq: 1 ACK')
      .replace('Max-Forwards: 70', 'Max-Forwards: 999');
    expect(intake(ack, remote)).toMatchObject({ kind: 'drop', reason: expect.stringContaining('ACK') });
    expect(intake(edit('Via:', 'Vix:').replace('CSeq: 1', 'CSeq: x'), remote).kind).toBe('drop');
  });

  it('drops invalid responses, keep-alives, oversized input and binary junk', () => {
    const response = base.replace(/^INVITE .*\r\n/, 'SIP/2.0 200 OK\r\n').replace('Call-ID: c1@pbx\r\n', '');
    expect(intake(response, remote)).toMatchObject({
      kind: 'drop',
      reason: expect.stringContaining('Call-ID'),
    });
    expect(intake('\r\n\r\n', remote).kind).toBe('drop');
    expect(intake(base + 'x'.repeat(70_000), remote)).toEqual({ kind: 'drop', reason: 'message too large' });
    expect(intake('\u0000\u00ff\u0001', remote).kind).toBe('drop');
  });

  it('rejects a message without the empty line after the headers', () => {
    expect(intake(base.slice(0, -2), remote)).toMatchObject({ kind: 'reply' });
  });
});
