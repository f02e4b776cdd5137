import { describe, expect, it } from 'vitest';
import { listValues, withPrepended } from './message';
import { isOwnUri, type LocalAddress, nextHop, popOwnRoutes, recordRoute } from './route';
import { invite } from './test-messages';
import { parseUri } from './uri';

const local: LocalAddress = { host: '192.0.2.1', ports: { udp: 5060, tcp: 5060, tls: 5061 } };

describe('Record-Route', () => {
  it('records once with lr on one transport', () => {
    expect(recordRoute(local, 'udp', 'udp')).toEqual(['<sip:192.0.2.1:5060;lr>']);
    expect(recordRoute(local, 'tcp', 'tcp')).toEqual(['<sip:192.0.2.1:5060;transport=tcp;lr>']);
  });

  it('records twice when crossing transports, callee side on top', () => {
    expect(recordRoute(local, 'udp', 'tls')).toEqual([
      '<sip:192.0.2.1:5061;transport=tls;lr>',
      '<sip:192.0.2.1:5060;lr>',
    ]);
  });

  it('writes IPv6 hosts in brackets', () => {
    expect(recordRoute({ ...local, host: '2001:db8::1' }, 'udp', 'udp')).toEqual([
      '<sip:[2001:db8::1]:5060;lr>',
    ]);
  });
});

describe('Route processing', () => {
  it('pops every Route entry that names us (double Record-Route)', () => {
    const req = withPrepended({ ...invite(), uri: 'sip:bob@198.51.100.9:5080' }, 'Route', [
      '<sip:192.0.2.1:5060;lr>, <sip:192.0.2.1:5061;transport=tls;lr>',
      '<sip:203.0.113.5;lr>',
    ]);
    const out = popOwnRoutes(local, req);
    expect(listValues(out, 'route')).toEqual(['<sip:203.0.113.5;lr>']);
    expect(nextHop(out).hop).toEqual({ transport: 'udp', host: '203.0.113.5', port: 5060 });
  });

  it('goes to the Request-URI when no Route is left', () => {
    const req = withPrepended({ ...invite(), uri: 'sip:bob@198.51.100.9:5080;transport=tcp' }, 'Route', [
      '<sip:192.0.2.1;lr>',
    ]);
    const out = popOwnRoutes(local, req);
    expect(listValues(out, 'route')).toEqual([]);
    expect(nextHop(out).hop).toEqual({ transport: 'tcp', host: '198.51.100.9', port: 5080 });
  });

  it('restores the Request-URI after a strict router (our URI in the Request-URI)', () => {
    const req = withPrepended({ ...invite(), uri: 'sip:192.0.2.1:5060;lr' }, 'Route', [
      '<sip:203.0.113.5;lr>',
      '<sip:bob@198.51.100.9>',
    ]);
    const out = popOwnRoutes(local, req);
    expect(out.uri).toBe('sip:bob@198.51.100.9');
    expect(listValues(out, 'route')).toEqual(['<sip:203.0.113.5;lr>']);
  });

  it('sends to a strict next hop with the Request-URI moved to the end', () => {
    const req = withPrepended({ ...invite(), uri: 'sip:bob@198.51.100.9' }, 'Route', ['<sip:203.0.113.5>']);
    const { request, hop } = nextHop(req);
    expect(request.uri).toBe('sip:203.0.113.5');
    expect(listValues(request, 'route')).toEqual(['<sip:bob@198.51.100.9>']);
    expect(hop?.host).toBe('203.0.113.5');
  });

  it('knows its own URIs (default port, aliases) and not a tel URI', () => {
    expect(isOwnUri(local, parseUri('sip:192.0.2.1;lr'))).toBe(true);
    expect(isOwnUri(local, parseUri('sip:192.0.2.1:5999'))).toBe(false);
    expect(isOwnUri(local, parseUri('tel:+8210'))).toBe(false);
    expect(isOwnUri({ ...local, aliases: ['10.0.0.1'] }, parseUri('sip:10.0.0.1:5060'))).toBe(true);
  });
});
