import { describe, expect, it } from 'vitest';
import type { Dialog } from '../dialog/dialog';
import { header, listValues, parseMessage, type SipRequest } from '../sip/message';
import { routeInDialog } from './in-dialog';

const local = { host: '192.0.2.1', ports: { udp: 5060, tcp: 5060 } };
const dialog: Dialog = {
  call_id: 'c1',
  caller_tag: 'a',
  callee_tag: 'b',
  caller: { transport: 'tcp', address: '198.51.100.7', port: 40001 },
  callee: { transport: 'udp', address: '203.0.113.1', port: 5060 },
  cseq_offset: 0,
  media_instance: null,
  started_at: 0,
};

function bye(
  from: string,
  to: string,
  uri: string,
  route = '<sip:192.0.2.1:5060;lr>',
  cseq = '2 BYE',
): SipRequest {
  const raw = [
    `BYE ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKbye',
    `Route: ${route}`,
    'Max-Forwards: 70',
    `From: <sip:x@y>;tag=${from}`,
    `To: <sip:z@w>;tag=${to}`,
    'Call-ID: c1',
    `CSeq: ${cseq}`,
    '',
    '',
  ].join('\r\n');
  return parseMessage(raw) as SipRequest;
}

describe('in-dialog loose routing', () => {
  it('pops our Route and forwards to the Request-URI (caller → callee)', () => {
    const r = routeInDialog(bye('a', 'b', 'sip:callee@203.0.113.1:5060'), local, dialog, 'z9hG4bKnew');
    expect(r.kind).toBe('forward');
    if (r.kind !== 'forward') return;
    expect(r.toward).toBe('callee');
    expect(r.hop).toEqual({ transport: 'udp', host: '203.0.113.1', port: 5060 });
    expect(listValues(r.request, 'route')).toEqual([]);
    expect(listValues(r.request, 'via')[0]).toContain('branch=z9hG4bKnew');
    expect(header(r.request, 'max-forwards')).toBe('69');
  });

  it('sends toward a TCP caller on the caller connection', () => {
    const r = routeInDialog(
      bye('b', 'a', 'sip:caller@198.51.100.7:5070;transport=tcp', '<sip:192.0.2.1:5060;transport=tcp;lr>'),
      local,
      dialog,
      'z9hG4bKnew',
    );
    expect(r).toMatchObject({
      kind: 'forward',
      toward: 'caller',
      hop: { transport: 'tcp', host: '198.51.100.7', port: 40001 },
    });
  });

  it('shifts the CSeq toward the callee after our digest retry', () => {
    const r = routeInDialog(
      bye('a', 'b', 'sip:callee@203.0.113.1'),
      local,
      { ...dialog, cseq_offset: 1 },
      'z9hG4bKn',
    );
    expect(r.kind === 'forward' && header(r.request, 'cseq')).toBe('3 BYE');
  });

  it('refuses an unknown dialog (481) and a request not routed through us (403)', () => {
    expect(routeInDialog(bye('a', 'b', 'sip:c@203.0.113.1'), local, undefined, 'x')).toMatchObject({
      response: { status: 481 },
    });
    expect(
      routeInDialog(bye('a', 'b', 'sip:c@203.0.113.1', '<sip:203.0.113.50;lr>'), local, dialog, 'x'),
    ).toMatchObject({
      response: { status: 403 },
    });
  });
});
