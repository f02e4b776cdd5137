import { describe, expect, it } from 'vitest';
import type { DecideRequest, RouteTarget } from '../../../contract/decide';
import { decideRequest, decideResponse } from '../../../contract/decide';
import type { StoredCredentials } from '../../domain/common';
import type { PeerTls } from '../../domain/peer-tls';
import { FIXTURE_CERT_PEM, FIXTURE_CERT_SHA256 } from '../../domain/peer-tls.fixture';
import { compileSnapshot } from './compile-snapshot';
import { type DecideOptions, decide } from './decide';
import { ha1 } from './digest';
import { clientCertRefusal, targetTls } from './peer-tls';
import { seededRandom } from './random';
import { ACME, baseIpbx, baseRequest, did, provider, route, uid } from './test-fixtures';

const PIN = FIXTURE_CERT_SHA256;
const OTHER = 'ab'.repeat(32);
const pinned = (pins: string[]): PeerTls => ({ verify_server: true, ca_pem: null, client_cert_sha256: pins });
const tlsFrom = (ip: string, fingerprint?: string): DecideRequest['source'] => ({
  ip,
  port: 40_000,
  transport: 'tls',
  ...(fingerprint ? { tls_client_cert_sha256: fingerprint } : {}),
});

describe('clientCertRefusal', () => {
  const source = tlsFrom('192.0.2.1');
  it.each([
    ['no pins', {}, source, undefined],
    ['an empty pin list', { tls: pinned([]) }, source, undefined],
    ['pins, TLS without a certificate', { tls: pinned([PIN]) }, source, 'client_certificate_required'],
    [
      'pins, TLS with another certificate',
      { tls: pinned([PIN]) },
      tlsFrom('192.0.2.1', OTHER),
      'client_certificate_mismatch',
    ],
    [
      'pins, TLS with a pinned certificate',
      { tls: pinned([OTHER, PIN]) },
      tlsFrom('192.0.2.1', PIN),
      undefined,
    ],
    [
      'pins, a call over UDP',
      { tls: pinned([PIN]) },
      { ip: '192.0.2.1', port: 5060, transport: 'udp' as const },
      undefined,
    ],
    [
      'pins, a call over TCP',
      { tls: pinned([PIN]) },
      { ip: '192.0.2.1', port: 5060, transport: 'tcp' as const },
      undefined,
    ],
  ])('%s → %s', (_what, peer, from, expected) => {
    expect(clientCertRefusal(from, peer)).toBe(expected);
  });
});

describe('targetTls', () => {
  it.each([
    ['UDP', { transport: 'udp' as const, tls: pinned([]) }, undefined],
    ['TLS, settings stored before tls existed', { transport: 'tls' as const }, { verify: true }],
    ['TLS, defaults', { transport: 'tls' as const, tls: pinned([]) }, { verify: true }],
    [
      'TLS with its own CAs',
      { transport: 'tls' as const, tls: { ...pinned([]), ca_pem: FIXTURE_CERT_PEM } },
      { verify: true, ca: FIXTURE_CERT_PEM },
    ],
    [
      'TLS, opted out (the CA no longer matters)',
      {
        transport: 'tls' as const,
        tls: { verify_server: false, ca_pem: FIXTURE_CERT_PEM, client_cert_sha256: [] },
      },
      { verify: false },
    ],
  ])('%s → %j', (_what, peer, expected) => {
    expect(targetTls(peer)).toEqual(expected);
  });
});

// The rule inside decide(): pinned IPBXs and providers, over TLS and not.
const realm = 'pinned.sip.example';
const credentials: StoredCredentials = {
  username: 'pbx',
  realm,
  ha1_md5: ha1('MD5', 'pbx', realm, 'pw'),
  ha1_sha256: ha1('SHA-256', 'pbx', realm, 'pw'),
};
const pbxPinned = { ...baseIpbx, allowed_sources: [{ cidr: '198.51.100.10' }], tls: pinned([PIN]) };
const pbxPinnedAuth = {
  ...baseIpbx,
  id: uid(110),
  allowed_sources: [{ cidr: '198.51.100.11' }],
  credentials,
  tls: pinned([PIN]),
};
const carrierTls = provider(1, {
  transport: 'tls',
  port: 5061,
  tls: { verify_server: true, ca_pem: FIXTURE_CERT_PEM, client_cert_sha256: [] },
});
const carrierOptOut = provider(2, {
  transport: 'tls',
  port: 5061,
  tls: { verify_server: false, ca_pem: null, client_cert_sha256: [] },
});
const carrierPinned = provider(3, { allowed_sources: [{ cidr: '203.0.113.0/24' }], tls: pinned([PIN]) });
const snapshot = compileSnapshot({
  global: {
    ipbxs: [pbxPinned, pbxPinnedAuth],
    providers: [carrierTls, carrierOptOut, carrierPinned],
    dids: [did({ number: '+14155550100' })],
    domains: [],
    profiles: [],
  },
  routes: [
    route({ provider_id: carrierTls.id, target: '+82', priority: 1 }),
    route({ provider_id: carrierOptOut.id, target: '+82', priority: 2 }),
  ],
});
const options: DecideOptions = {
  now: Date.parse('2026-11-23T10:00:00Z'),
  random: seededRandom(1),
  nonceSecret: 'test-nonce-secret-0123',
};
const run = (over: Partial<DecideRequest>, opts: Partial<DecideOptions> = {}) =>
  decide({ ...baseRequest, ...over }, snapshot, { ...options, ...opts }).response;

describe('decide: pinned client certificates', () => {
  it('refuses a pinned IPBX over TLS without a certificate, or with another one', () => {
    expect(run({ source: tlsFrom('198.51.100.10') })).toMatchObject({
      action: 'reject',
      code: 403,
      reason: 'client_certificate_required',
    });
    expect(run({ source: tlsFrom('198.51.100.10', OTHER) })).toMatchObject({
      action: 'reject',
      code: 403,
      reason: 'client_certificate_mismatch',
    });
  });

  it('routes a pinned IPBX over TLS with its certificate, and over UDP as before', () => {
    for (const source of [tlsFrom('198.51.100.10', PIN), { ...baseRequest.source }]) {
      expect(run({ source })).toMatchObject({ action: 'route', call: { source_id: pbxPinned.id } });
    }
  });

  it('checks the certificate before the digest challenge, and challenges as usual once it matches', () => {
    expect(run({ source: tlsFrom('198.51.100.11', OTHER) })).toMatchObject({
      action: 'reject',
      reason: 'client_certificate_mismatch',
    });
    expect(run({ source: tlsFrom('198.51.100.11', PIN) })).toMatchObject({ action: 'challenge', realm });
  });

  it('applies to providers calling in (inbound DID)', () => {
    const inbound = { request_uri: 'sip:+14155550100@relay.example', to: '<sip:+14155550100@relay.example>' };
    expect(run({ ...inbound, source: tlsFrom('203.0.113.5') })).toMatchObject({
      action: 'reject',
      reason: 'client_certificate_required',
    });
    expect(run({ ...inbound, source: tlsFrom('203.0.113.5', PIN) })).toMatchObject({
      action: 'route',
      call: { direction: 'inbound', source_id: carrierPinned.id, customer_id: ACME },
    });
  });

  it('is not simulated (simulate has no connection to look at)', () => {
    expect(run({ source: tlsFrom('198.51.100.10') }, { trustSource: true })).toMatchObject({
      action: 'route',
    });
  });
});

describe('decide: TLS targets carry their verification policy', () => {
  const r = run({ source: tlsFrom('198.51.100.10', PIN) });
  const targets = (r.action === 'route' ? r.targets : []) as RouteTarget[];

  it('own CA, or the explicit opt-out; UDP targets carry none', () => {
    expect(targets.map((t) => [t.id, t.uri, t.tls])).toEqual([
      [
        carrierTls.id,
        'sip:+821012345678@sip.carrier-1.example:5061;transport=tls',
        { verify: true, ca: FIXTURE_CERT_PEM },
      ],
      [carrierOptOut.id, 'sip:+821012345678@sip.carrier-2.example:5061;transport=tls', { verify: false }],
    ]);
    const inbound = run({
      request_uri: 'sip:+14155550100@relay.example',
      source: tlsFrom('203.0.113.5', PIN),
    });
    expect(inbound.action === 'route' && 'tls' in inbound.targets[0]!).toBe(false);
  });

  it('the answer and the request fit the contract', () => {
    expect(decideResponse.safeParse(r).success).toBe(true);
    expect(decideRequest.safeParse({ ...baseRequest, source: tlsFrom('198.51.100.10', PIN) }).success).toBe(
      true,
    );
    const upper = tlsFrom('198.51.100.10', PIN.toUpperCase());
    expect(decideRequest.safeParse({ ...baseRequest, source: upper }).success).toBe(false);
  });
});
