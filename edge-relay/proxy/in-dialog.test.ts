import { describe, expect, it } from 'vitest';
import type { Dialog } from '../dialog/dialog';
import { header, headers, listValues, parseMessage, type SipRequest, withHeader } from '../sip/message';
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

  it('forwards no credentials and no untrusted identity, in either direction', () => {
    const claims = [
      'Proxy-Authorization: Digest username="pbx1", realm="tandem", nonce="n", uri="sip:x", response="0123"',
      'P-Asserted-Identity: <sip:+1999@evil.example>',
      'P-Preferred-Identity: <sip:+1998@evil.example>',
      'Remote-Party-ID: <sip:+1997@evil.example>;party=calling',
      'X-Custom: kept',
    ];
    const withClaims = (m: SipRequest): SipRequest => ({
      ...m,
      headers: [
        ...m.headers,
        ...claims.map((line) => {
          const [name, value] = line.split(/: (.*)/);
          return { key: name!.toLowerCase(), name: name!, value: value! };
        }),
      ],
    });
    const toCallee = routeInDialog(withClaims(bye('a', 'b', 'sip:callee@203.0.113.1')), local, dialog, 'x');
    const toCaller = routeInDialog(
      withClaims(bye('b', 'a', 'sip:caller@198.51.100.7:5070', '<sip:192.0.2.1:5060;transport=tcp;lr>')),
      local,
      dialog,
      'x',
    );
    for (const r of [toCallee, toCaller]) {
      if (r.kind !== 'forward') throw new Error(r.kind);
      for (const key of [
        'proxy-authorization',
        'p-asserted-identity',
        'p-preferred-identity',
        'remote-party-id',
      ])
        expect(headers(r.request, key)).toEqual([]);
      expect(header(r.request, 'x-custom')).toBe('kept');
    }
  });

  it("gives an identity header the decision set for the dialog the decision's value, toward the callee only", () => {
    const asserted = { 'P-Asserted-Identity': '<sip:+14155550100@carrier.example>' };
    const claimed = (m: SipRequest) => withHeader(m, 'P-Asserted-Identity', '<sip:+1999@evil.example>');
    const withIdentity = { ...dialog, asserted_identity: asserted };
    const toCallee = routeInDialog(
      claimed(bye('a', 'b', 'sip:callee@203.0.113.1')),
      local,
      withIdentity,
      'x',
    );
    expect(toCallee.kind === 'forward' && headers(toCallee.request, 'p-asserted-identity')).toEqual([
      '<sip:+14155550100@carrier.example>',
    ]);
    // Not added where the sender put none.
    const plain = routeInDialog(bye('a', 'b', 'sip:callee@203.0.113.1'), local, withIdentity, 'x');
    expect(plain.kind === 'forward' && headers(plain.request, 'p-asserted-identity')).toEqual([]);
    // Toward the caller the decision asserted nothing.
    const toCaller = routeInDialog(
      claimed(bye('b', 'a', 'sip:caller@198.51.100.7:5070', '<sip:192.0.2.1:5060;transport=tcp;lr>')),
      local,
      withIdentity,
      'x',
    );
    expect(toCaller.kind === 'forward' && headers(toCaller.request, 'p-asserted-identity')).toEqual([]);
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
