import { describe, expect, it } from 'vitest';
import { parseSource, simulateBody } from './simulate-request';
import { simulateView } from './simulate-view';

describe('simulateBody', () => {
  it("builds a customer's call", () => {
    expect(
      simulateBody({ customer: 'c1', caller: '+14155550100', callee: '+8210', seed: 7, down: 'p1, p2' }),
    ).toEqual({
      customer_id: 'c1',
      caller: '+14155550100',
      callee: '+8210',
      seed: 7,
      down_providers: ['p1', 'p2'],
    });
  });

  it('builds a call from a source address', () => {
    expect(
      simulateBody({ source: '198.51.100.7:5080', transport: 'tcp', caller: '100', callee: '0082' }),
    ).toEqual({
      source: { ip: '198.51.100.7', port: 5080, transport: 'tcp' },
      caller: '100',
      callee: '0082',
    });
  });

  it('needs exactly one of customer and source, and both numbers', () => {
    expect(() => simulateBody({ caller: 'a', callee: 'b' })).toThrow(/exactly one/);
    expect(() => simulateBody({ customer: 'c', source: '1.2.3.4', caller: 'a', callee: 'b' })).toThrow(
      /exactly one/,
    );
    expect(() => simulateBody({ customer: 'c', caller: 'a' })).toThrow(/--callee/);
    expect(() => simulateBody({ customer: 'c', transport: 'tcp', caller: 'a', callee: 'b' })).toThrow(
      /--source/,
    );
  });

  it('reads IPv4 and IPv6 sources with or without a port', () => {
    expect(parseSource('10.0.0.1')).toEqual({ ip: '10.0.0.1' });
    expect(parseSource('2001:db8::1')).toEqual({ ip: '2001:db8::1' });
    expect(parseSource('[2001:db8::1]:5062')).toEqual({ ip: '2001:db8::1', port: 5062 });
    expect(() => parseSource('pbx.example:5060')).toThrow(/IP address/);
    expect(() => parseSource('10.0.0.1:70000')).toThrow(/1–65535/);
  });
});

describe('simulateView', () => {
  it('lists the targets in order with their reasons, then every skip with its reason', () => {
    const text = simulateView({
      action: 'route',
      call: {
        customer_id: 'c1',
        direction: 'outbound',
        source_kind: 'ipbx',
        source_id: 'i1',
        caller: '+14155550100',
        callee: '+821012345678',
      },
      targets: [
        { provider_id: 'p2', uri: 'sip:+8210@b.example', reason: 'tier=customer prefix=+82 priority=1' },
        {
          provider_id: 'p1',
          uri: 'sip:+8210@a.example',
          reason: 'tier=customer prefix=+82 priority=2 provider_down',
        },
      ],
      skipped: [{ route_id: 'r3', provider_id: 'p3', reason: 'provider_disabled' }],
      max_duration_s: 3600,
    });
    expect(text).toBe(
      [
        'route',
        'call: +14155550100 → +821012345678, outbound, customer c1, from ipbx i1',
        'max duration: 3600 s',
        '',
        'targets, in order:',
        '  #  kind      id  uri                  reason',
        '  1  provider  p2  sip:+8210@b.example  tier=customer prefix=+82 priority=1',
        '  2  provider  p1  sip:+8210@a.example  tier=customer prefix=+82 priority=2 provider_down',
        '',
        'skipped:',
        '  provider  route  reason',
        '  p3        r3     provider_disabled',
      ].join('\n'),
    );
  });

  it('shows a refusal with its code and reason', () => {
    expect(simulateView({ action: 'reject', code: 404, reason: 'no_route', targets: [], skipped: [] })).toBe(
      'reject 404 no_route\n\ntargets: none\n\nskipped: none',
    );
  });
});
