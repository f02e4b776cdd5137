import { describe, expect, it } from 'vitest';
import type { Dialog } from '../dialog/dialog';
import { cseq, header, listValues, parseMessage, type SipRequest, serialize } from '../sip/message';
import { tagOf } from '../sip/uri';
import { parseVia } from '../sip/via';
import { RELAY_BYE_CSEQ, relayBye } from './relay-bye';

const local = { host: '192.0.2.1', ports: { udp: 5060, tcp: 5060, tls: 5061 } };
const dialog: Dialog = {
  call_id: 'expired-1@pbx',
  caller_tag: 'caller-tag',
  callee_tag: 'callee-tag',
  caller: { transport: 'tcp', address: '198.51.100.7', port: 40001 },
  callee: { transport: 'udp', address: '2001:db8::5', port: 5080 },
  cseq_offset: 1,
  media_instance: null,
  started_at: 0,
};
const branch = 'z9hG4bK0000000000.0123456789abcdef';

/** What a peer would parse off the wire. */
const onWire = (request: SipRequest) => parseMessage(serialize(request)) as SipRequest;

describe('BYE the relay sends itself', () => {
  it('to the callee: its flow as Request-URI and hop, tags as the caller would send them', () => {
    const { request, hop } = relayBye(dialog, 'callee', local, branch);
    const bye = onWire(request);
    expect(bye.method).toBe('BYE');
    expect(bye.uri).toBe('sip:[2001:db8::5]:5080');
    expect(hop).toEqual({ transport: 'udp', host: '2001:db8::5', port: 5080 });
    expect(tagOf(header(bye, 'from'))).toBe('caller-tag');
    expect(tagOf(header(bye, 'to'))).toBe('callee-tag');
    expect(header(bye, 'call-id')).toBe('expired-1@pbx');
    expect(cseq(bye)).toEqual({ seq: RELAY_BYE_CSEQ, method: 'BYE' });
    expect(header(bye, 'max-forwards')).toBe('70');
    expect(listValues(bye, 'route')).toEqual([]);
    expect(bye.body).toBe('');
    const via = parseVia(listValues(bye, 'via')[0]!);
    expect(via).toMatchObject({ transport: 'UDP', host: '192.0.2.1', port: 5060 });
    expect(via?.params['branch']).toBe(branch);
    expect(listValues(bye, 'via')).toHaveLength(1);
  });

  it('to the caller: tags the other way round, its stream flow with ;transport= and our TCP Via', () => {
    const { request, hop } = relayBye(dialog, 'caller', local, branch);
    const bye = onWire(request);
    expect(bye.uri).toBe('sip:198.51.100.7:40001;transport=tcp');
    expect(hop).toEqual({ transport: 'tcp', host: '198.51.100.7', port: 40001 });
    expect(tagOf(header(bye, 'from'))).toBe('callee-tag');
    expect(tagOf(header(bye, 'to'))).toBe('caller-tag');
    expect(parseVia(listValues(bye, 'via')[0]!)).toMatchObject({ transport: 'TCP', port: 5060 });
  });

  it('takes the largest CSeq a UA accepts (below 2^31), whatever the CSeq shift of our digest retry', () => {
    expect(RELAY_BYE_CSEQ).toBe(2 ** 31 - 1);
    const shifted = relayBye({ ...dialog, cseq_offset: 5 }, 'callee', local, branch).request;
    expect(cseq(shifted).seq).toBe(RELAY_BYE_CSEQ);
  });

  it('leaves the To tag out when the dialog has no callee tag', () => {
    const { callee_tag: _, ...untagged } = dialog;
    const bye = relayBye(untagged, 'callee', local, branch).request;
    expect(header(bye, 'to')).toBe('<sip:[2001:db8::5]:5080>');
    expect(tagOf(header(relayBye(untagged, 'caller', local, branch).request, 'from'))).toBeUndefined();
  });
});
