import { randomUUID } from 'node:crypto';
import { type Cdr, cdrDurations } from './cdr';

/**
 * A valid answered outbound call (one attempt, 200), for tests to spread
 * overrides into. `at` is the INVITE time; the call lasts 65 s.
 *
 * @example
 * cdrRecord({ at: '2026-12-05T10:00:00.000Z', customer_id: c, caller: '+4930123' });
 */
export function cdrRecord(overrides: Partial<Cdr> & { at?: string; providerId?: string } = {}): Cdr {
  const { at = '2026-12-05T10:00:00.000Z', providerId = randomUUID(), ...fields } = overrides;
  const invite = Date.parse(at);
  const iso = (ms: number) => new Date(invite + ms).toISOString();
  const record: Cdr = {
    id: randomUUID(),
    call_id: `${randomUUID()}@198.51.100.7`,
    relay_id: 'relay-1',
    customer_id: randomUUID(),
    direction: 'outbound',
    source: { ip: '198.51.100.7', port: 5060, transport: 'udp', kind: 'ipbx', id: randomUUID() },
    caller: '+4930123456',
    callee: '+821012345678',
    caller_received: '030123456',
    callee_received: '00821012345678',
    did: null,
    final_code: 200,
    reason: 'OK',
    refused: null,
    tm_invite: iso(0),
    tm_ringing: iso(1_000),
    tm_answer: iso(2_000),
    tm_end: iso(65_000),
    duration_s: 65,
    billsec: 63,
    end_by: 'caller',
    end_reason: 'bye',
    media_anchored: true,
    attempts: [
      {
        target_kind: 'provider',
        target_id: providerId,
        route_id: randomUUID(),
        code: 200,
        cause: 'response',
        uri: 'sip:+821012345678@sip.carrier.example',
        pdd_ms: 350,
        tm_start: iso(10),
        tm_provisional: iso(360),
        tm_end: iso(2_000),
      },
    ],
    ...fields,
  };
  // Overridden times keep the durations the contract checks.
  return { ...record, ...cdrDurations(record.tm_invite, record.tm_answer, record.tm_end) };
}
