import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { callIdIn, createRefusalLog } from './refusal-log';

const scanner = { transport: 'udp' as const, address: '198.51.100.9', port: 5060 };
const pbx = { transport: 'tcp' as const, address: '203.0.113.4', port: 41000 };

function harness() {
  const lines: Record<string, unknown>[] = [];
  const counted: [number | null, string][] = [];
  const log = createLogger('info', (l) => lines.push(JSON.parse(l)));
  const refusals = createRefusalLog(log, {
    perSource: 2,
    windowMs: 1000,
    count: (code, reason) => counted.push([code, reason]),
  });
  return { lines, counted, refusals };
}

describe('refusal log', () => {
  it('logs a refused INVITE once at info with its source, transport, code and reason', () => {
    const { lines, counted, refusals } = harness();
    refusals.refused(pbx, 403, 'unknown_source', 'call-1@pbx', 0);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'invite refused',
        call_id: 'call-1@pbx',
        source: '203.0.113.4',
        port: 41000,
        transport: 'tcp',
        code: 403,
        reason: 'unknown_source',
      }),
    ]);
    expect(counted).toEqual([[403, 'unknown_source']]);
  });

  it('limits lines per source, counts every refusal, and sums up the rest once', () => {
    const { lines, counted, refusals } = harness();
    for (let i = 0; i < 10; i++) refusals.refused(scanner, 403, 'auth_failed', `s-${i}`, i);
    refusals.refused(pbx, 404, 'no_route', 'p-1', 20); // another source still logged
    expect(counted).toHaveLength(11);
    expect(lines.map((l) => l['call_id'])).toEqual(['s-0', 's-1', 'p-1']);
    refusals.sweep(999);
    expect(lines).toHaveLength(3);
    refusals.sweep(1000);
    expect(lines.at(-1)).toMatchObject({
      msg: 'invite refusals not logged',
      source: '198.51.100.9',
      suppressed: 8,
      window_s: 1,
    });
    refusals.sweep(5000);
    expect(lines).toHaveLength(4);
  });

  it("sums up before the source's next line when that comes before the sweep", () => {
    const { lines, refusals } = harness();
    for (let i = 0; i < 5; i++)
      refusals.refused(scanner, null, 'flood', { raw: `INVITE sip:x SIP/2.0\r\nCall-ID: f-${i}\r\n\r\n` }, i);
    refusals.refused(scanner, null, 'flood', { raw: 'INVITE sip:x SIP/2.0\r\ni: f-late\r\n\r\n' }, 1500);
    expect(lines.map((l) => [l['msg'], l['call_id'] ?? l['suppressed']])).toEqual([
      ['invite refused', 'f-0'],
      ['invite refused', 'f-1'],
      ['invite refusals not logged', 3],
      ['invite refused', 'f-late'],
    ]);
    expect(lines[0]).toMatchObject({ code: null, reason: 'flood' });
  });

  it('reads the Call-ID of a raw message in long or compact form', () => {
    expect(callIdIn('INVITE sip:x SIP/2.0\r\nVia: x\r\nCALL-ID:  abc@h \r\n\r\n')).toBe('abc@h');
    expect(callIdIn('INVITE sip:x SIP/2.0\r\nVia: x\r\n\r\n')).toBe('');
  });
});
