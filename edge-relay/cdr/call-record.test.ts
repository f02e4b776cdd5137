import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cdr } from '../../contract/cdr';
import type { DecideResponse } from '../../contract/decide';
import type { AttemptOutcome } from '../events';
import { parseMessage, type SipRequest } from '../sip/message';
import { type CallFacts, closeCallRecord, openCallRecord } from './call-record';

const T0 = Date.parse('2026-12-05T10:00:00.000Z');
const customer = randomUUID();
const pbx = randomUUID();
const [p1, p2] = [randomUUID(), randomUUID()];

const invite = (extra = '') =>
  parseMessage(
    [
      'INVITE sip:00442012345678@relay.example SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKx',
      'From: "Sales" <sip:201@pbx.example>;tag=a',
      'To: <sip:00442012345678@relay.example>',
      'Call-ID: call-1@pbx.example',
      'CSeq: 1 INVITE',
      extra,
      'Content-Length: 0',
      '',
      '',
    ]
      .filter((l, i, all) => l !== '' || i >= all.length - 2)
      .join('\r\n'),
  ) as SipRequest;

const routed: DecideResponse = {
  action: 'route',
  call: {
    customer_id: customer,
    direction: 'outbound',
    source_kind: 'ipbx',
    source_id: pbx,
    caller: '+4930201',
    callee: '+442012345678',
  },
  targets: [],
};

const attempt = (
  target: string,
  code: number,
  start: number,
  end: number,
  pdd: number | null,
): AttemptOutcome => ({
  call_id: 'call-1@pbx.example',
  target_kind: 'provider',
  target_id: target,
  route_id: null,
  uri: `sip:+442012345678@${target}.example`,
  code,
  cause: 'response',
  pdd_ms: pdd,
  started_at: T0 + start,
  ended_at: T0 + end,
});

const facts = (over: Partial<CallFacts> = {}): CallFacts => ({
  id: randomUUID(),
  request: invite(),
  source: { transport: 'udp', address: '192.0.2.10', port: 5060 },
  relayId: 'relay-a',
  decision: routed,
  finalCode: 200,
  reason: 'OK',
  refused: undefined,
  receivedAt: T0,
  ringingAt: T0 + 900,
  answeredAt: T0 + 2_000,
  attempts: [attempt(p1, 503, 5, 300, null), attempt(p2, 200, 310, 2_000, 590)],
  mediaAnchored: true,
  ...over,
});

describe('call records', () => {
  it('an answered call with a failover: parties as received and normalized, both attempts, durations', () => {
    const record = closeCallRecord(openCallRecord(facts()), { at: T0 + 65_000, by: 'callee', reason: 'bye' });
    expect(cdr.safeParse(record).success).toBe(true);
    expect(record).toMatchObject({
      call_id: 'call-1@pbx.example',
      relay_id: 'relay-a',
      customer_id: customer,
      direction: 'outbound',
      source: { ip: '192.0.2.10', port: 5060, transport: 'udp', kind: 'ipbx', id: pbx },
      caller: '+4930201',
      callee: '+442012345678',
      caller_received: '201',
      callee_received: '00442012345678',
      did: null,
      final_code: 200,
      reason: 'OK',
      refused: null,
      tm_invite: '2026-12-05T10:00:00.000Z',
      tm_ringing: '2026-12-05T10:00:00.900Z',
      tm_answer: '2026-12-05T10:00:02.000Z',
      tm_end: '2026-12-05T10:01:05.000Z',
      duration_s: 65,
      billsec: 63,
      end_by: 'callee',
      end_reason: 'bye',
      media_anchored: true,
    });
    expect(record.attempts).toEqual([
      expect.objectContaining({ target_id: p1, code: 503, pdd_ms: null, tm_provisional: null }),
      expect.objectContaining({
        target_id: p2,
        code: 200,
        uri: `sip:+442012345678@${p2}.example`,
        pdd_ms: 590,
        tm_start: '2026-12-05T10:00:00.310Z',
        tm_provisional: '2026-12-05T10:00:00.900Z',
        tm_end: '2026-12-05T10:00:02.000Z',
      }),
    ]);
  });

  it('the caller received is the P-Asserted-Identity when there is one', () => {
    const request = invite('P-Asserted-Identity: <sip:+4930555@pbx.example>');
    expect(openCallRecord(facts({ request })).caller_received).toBe('+4930555');
  });

  it('a refused call: the decision’s knowledge, no answer, no end party, 0 billable', () => {
    const decision: DecideResponse = {
      action: 'reject',
      code: 404,
      reason: 'no_route',
      call: { ...routed.call, customer_id: customer, direction: 'outbound' },
    };
    const open = openCallRecord(
      facts({
        decision,
        finalCode: 404,
        reason: 'Not Found',
        refused: 'no_route',
        attempts: [],
        answeredAt: null,
      }),
    );
    const record = closeCallRecord(open, { at: T0 + 40, by: null, reason: null });
    expect(cdr.safeParse(record).success).toBe(true);
    expect(record).toMatchObject({
      customer_id: customer,
      final_code: 404,
      refused: 'no_route',
      tm_answer: null,
      billsec: 0,
      duration_s: 0.04,
      end_by: null,
      end_reason: null,
      attempts: [],
    });
  });

  it('the decision unreachable: no customer, the numbers as received', () => {
    const open = openCallRecord(
      facts({
        decision: undefined,
        finalCode: 503,
        refused: 'decision_unreachable',
        attempts: [],
        answeredAt: null,
      }),
    );
    expect(open).toMatchObject({ customer_id: null, source: { kind: null, id: null }, caller: '201' });
    expect(cdr.safeParse(closeCallRecord(open, { at: T0 + 800, by: null, reason: null })).success).toBe(true);
  });

  it('a long header or a clock step back still makes a record the contract takes', () => {
    const request = invite(`P-Asserted-Identity: <sip:${'9'.repeat(400)}@pbx.example>`);
    const open = openCallRecord(facts({ request, reason: 'x'.repeat(300) }));
    const record = closeCallRecord(open, { at: T0 - 5_000, by: 'caller', reason: 'bye' });
    expect(cdr.safeParse(record).success).toBe(true);
    expect(record.caller_received).toHaveLength(256);
    expect(record.billsec).toBe(0);
  });
});
