import { describe, expect, it } from 'vitest';
import type { DecideRequest } from '../../../contract/decide';
import { matchesFailover } from '../../../contract/failover';
import type { StoredCredentials } from '../../domain/common';
import type { GlobalConfig } from './compile-snapshot';
import { compileSnapshot } from './compile-snapshot';
import { type DecideOptions, decide } from './decide';
import { digestResponse, ha1 } from './digest';
import { DEFAULT_FAILOVER } from './egress';
import { seededRandom } from './random';
import { ACME, baseIpbx, baseProfile, baseRequest, did, provider, route, uid } from './test-fixtures';

const now = Date.parse('2026-11-23T10:00:00Z');
const nonceSecret = 'test-nonce-secret-0123';
const realm = 'acme.sip.example';
const credentials: StoredCredentials = {
  username: 'acme',
  realm,
  ha1_md5: ha1('MD5', 'acme', realm, 'pw'),
  ha1_sha256: ha1('SHA-256', 'acme', realm, 'pw'),
};
const outboundCreds: StoredCredentials = { ...credentials, username: 'trunk', realm: 'carrier' };

const korea = { ...baseProfile };
const carrierFormat = { ...baseProfile, id: uid(901), egress_format: 'e164_without_plus' as const };
const pA = provider(1, {
  tech_prefix: '1234#',
  tech_postfix: ';x',
  tech_headers: { 'X-Account': 'acme' },
  credentials: outboundCreds,
  timers: { provisional_ms: 1500, final_ms: 30_000 },
  media_anchor: true,
  normalization_profile_id: carrierFormat.id,
  allowed_sources: [{ cidr: '203.0.113.0/24' }],
});
const pB = provider(2, { hostname: '2001:db8::5', transport: 'tcp', port: 5080 });
const pbxV6 = { ...baseIpbx, id: uid(101), allowed_sources: [{ cidr: '2001:db8:aa::/48', port: 5062 }] };
const pbxAuth = { ...baseIpbx, id: uid(102), allowed_sources: [{ cidr: '198.51.100.20' }], credentials };
const roamer: StoredCredentials = {
  username: 'roamer',
  realm,
  ha1_md5: ha1('MD5', 'roamer', realm, 'pw'),
  ha1_sha256: ha1('SHA-256', 'roamer', realm, 'pw'),
};
const pbxDigestOnly = { ...baseIpbx, id: uid(103), allowed_sources: [], credentials: roamer };
const pbxKorea = {
  ...baseIpbx,
  id: uid(104),
  allowed_sources: [{ cidr: '198.51.100.30' }],
  normalization_profile_id: korea.id,
};
const pbxDisabled = {
  ...baseIpbx,
  id: uid(105),
  allowed_sources: [{ cidr: '198.51.100.40' }],
  enabled: false,
};
const other = uid(4444);
const pbxOther = {
  ...baseIpbx,
  id: uid(106),
  customer_id: other,
  hostname: 'pbx.other.example',
  allowed_sources: [],
};

const global: GlobalConfig = {
  ipbxs: [baseIpbx, pbxV6, pbxAuth, pbxDigestOnly, pbxKorea, pbxDisabled, pbxOther],
  providers: [pA, pB],
  dids: [
    did({ number: '+14155550100' }),
    did({ number: '+1415555', range: true, ipbx_id: pbxOther.id, customer_id: other }),
    did({ number: '+14155551', range: true, ipbx_id: pbxV6.id }),
  ],
  domains: [],
  profiles: [korea, carrierFormat],
};
const routes = [
  route({ provider_id: pA.id, target: '+82', priority: 1 }),
  route({ provider_id: pB.id, target: '+82', priority: 2, failover_codes: [486, 503] }),
];
const snapshot = compileSnapshot({ global, routes });
const options: DecideOptions = { now, random: seededRandom(1), nonceSecret };
const req = (over: Partial<DecideRequest> = {}): DecideRequest => ({ ...baseRequest, ...over });
const run = (over: Partial<DecideRequest> = {}, opts: Partial<DecideOptions> = {}) =>
  decide(req(over), snapshot, { ...options, ...opts });

describe('decide: sources', () => {
  it.each([
    [
      'unknown IPv4 source',
      { source: { ip: '192.0.2.1', port: 5060, transport: 'udp' } },
      403,
      'unknown_source',
    ],
    [
      'IPv6 source with the wrong port',
      { source: { ip: '2001:db8:aa::1', port: 5060, transport: 'udp' } },
      403,
      'unknown_source',
    ],
    [
      'disabled IPBX',
      { source: { ip: '198.51.100.40', port: 5060, transport: 'udp' } },
      403,
      'source_disabled',
    ],
  ] as const)('%s → reject', (_n, over, code, reason) => {
    expect(run(over as Partial<DecideRequest>).response).toMatchObject({ action: 'reject', code, reason });
  });

  it('IPv6 source with its port routes as that IPBX', () => {
    const r = run({ source: { ip: '2001:db8:aa::7', port: 5062, transport: 'udp' } }).response;
    expect(r).toMatchObject({ action: 'route', call: { source_id: pbxV6.id, direction: 'outbound' } });
  });
});

describe('decide: outbound egress', () => {
  const r = run().response;
  if (r.action !== 'route') throw new Error('expected a route');
  const [first, second] = r.targets;

  it('orders providers and formats each attempt', () => {
    expect(r.call).toEqual({
      customer_id: ACME,
      direction: 'outbound',
      source_kind: 'ipbx',
      source_id: baseIpbx.id,
      caller: '+12125550100',
      callee: '+821012345678',
    });
    expect(first).toEqual({
      kind: 'provider',
      id: pA.id,
      route_id: routes[0]!.id,
      uri: 'sip:1234#821012345678;x@sip.carrier-1.example:5060;transport=udp',
      transport: 'udp',
      callee: '821012345678',
      caller: '12125550100',
      headers: { 'X-Account': 'acme', 'P-Asserted-Identity': '<sip:12125550100@sip.carrier-1.example>' },
      timers: { provisional_ms: 1500, final_ms: 30_000 },
      media_anchor: true,
      codecs: { allow: [], transcode: [] },
      dtmf_mode: 'rfc2833',
      credentials: outboundCreds,
      failover_codes: ['404', '5xx', '6xx'],
      reason: 'tier=customer prefix=+82 priority=1 weight=100',
    });
  });

  it('brackets IPv6 hosts, uses the route failover codes override, E.164 without a profile', () => {
    expect(second).toMatchObject({
      uri: 'sip:+821012345678@[2001:db8::5]:5080;transport=tcp',
      transport: 'tcp',
      failover_codes: ['486', '503'],
      callee: '+821012345678',
    });
  });

  it('default failover codes are 404, every 5xx and every 6xx', () => {
    expect(DEFAULT_FAILOVER).toEqual(['404', '5xx', '6xx']);
    const covered = (status: number) => matchesFailover(DEFAULT_FAILOVER, status);
    expect(covered(404)).toBe(true);
    expect(covered(503)).toBe(true);
    expect(covered(699)).toBe(true);
    for (let status = 500; status < 700; status++) expect(covered(status)).toBe(true);
    expect(covered(486)).toBe(false);
    expect(covered(487)).toBe(false);
  });

  it('no route → 404 with the skipped candidates', () => {
    const d = run({ request_uri: 'sip:+442012345678@relay' });
    expect(d.response).toEqual({
      action: 'reject',
      code: 404,
      reason: 'no_route',
      // What the call's record needs: whose call it was, and the numbers as normalized.
      call: expect.objectContaining({ direction: 'outbound', source_kind: 'ipbx', callee: '+442012345678' }),
    });
    expect(d.response.action === 'reject' && d.response.call?.customer_id).toEqual(expect.any(String));
  });
});

describe('decide: normalization and identity', () => {
  it.each([
    [
      'national callee through the IPBX profile',
      { request_uri: 'sip:010-1234-5678@relay' },
      '+821012345678',
      '+12125550100',
    ],
    [
      'caller from P-Asserted-Identity of the trusted source',
      { p_asserted_identity: '<sip:0212345678@pbx>' },
      '+821012345678',
      '+82212345678',
    ],
  ] as const)('%s', (_n, over, callee, caller) => {
    const r = run({ source: { ip: '198.51.100.30', port: 5060, transport: 'udp' }, ...over }).response;
    expect(r).toMatchObject({ action: 'route', call: { callee, caller } });
  });

  it.each([
    ['letters in the callee', { request_uri: 'sip:alice@relay' }, 'invalid_callee'],
    ['no user part', { request_uri: 'sip:relay.example' }, 'invalid_callee'],
  ] as const)('invalid numbers → 484: %s', (_n, over, reason) => {
    expect(run(over).response).toMatchObject({ action: 'reject', code: 484, reason });
  });

  it('a caller that does not normalize goes on as received, never 484', () => {
    for (const [from, user] of [
      ['<sip:bob@pbx>', 'bob'],
      ['"Reception" <sip:reception.desk@pbx>;tag=1', 'reception.desk'],
    ]) {
      const r = run({ from }).response;
      expect(r, from).toMatchObject({ action: 'route', call: { caller: user } });
      expect(r.action === 'route' && r.targets[0]!.caller, from).toBe(user);
    }
  });

  it('anonymous or Privacy: id → Privacy header, no PAI for anonymous', () => {
    const anon = run({ from: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1' }).response;
    expect(anon.action === 'route' && anon.targets[0]!.headers).toEqual({
      'X-Account': 'acme',
      Privacy: 'id',
    });
    const hidden = run({ privacy: 'id' }).response;
    expect(hidden.action === 'route' && hidden.targets[0]!.headers['Privacy']).toBe('id');
  });
});

describe('decide: inbound and on-net', () => {
  const fromCarrier = { source: { ip: '203.0.113.9', port: 5060, transport: 'udp' as const } };
  it.each([
    ['exact DID', '+14155550100', baseIpbx.id, 'did=+14155550100'],
    ['longest DID range', '+14155551999', pbxV6.id, 'did=+14155551 range'],
    ['shorter DID range', '+14155552999', pbxOther.id, 'did=+1415555 range'],
  ])('%s → its IPBX', (_n, number, ipbxId, reason) => {
    const r = run({ ...fromCarrier, request_uri: `sip:${number}@relay` }).response;
    expect(r).toMatchObject({
      action: 'route',
      call: { direction: 'inbound', source_kind: 'provider', source_id: pA.id },
      targets: [{ kind: 'ipbx', id: ipbxId, route_id: null, failover_codes: [], reason }],
    });
  });

  it('inbound with the carrier profile and IPBX formatting in the URI', () => {
    const r = run({ ...fromCarrier, request_uri: 'sip:14155550100@relay' }).response;
    expect(r.action === 'route' && r.targets[0]!.uri).toBe(
      'sip:+14155550100@pbx.acme.example:5060;transport=udp',
    );
  });

  it('no DID → 404', () => {
    expect(run({ ...fromCarrier, request_uri: 'sip:+14150000000@relay' }).response).toEqual({
      action: 'reject',
      code: 404,
      reason: 'no_did',
      // No DID, no customer: the record names the carrier it came from.
      call: expect.objectContaining({ customer_id: null, direction: 'inbound', source_kind: 'provider' }),
    });
  });

  it("on-net: an outbound callee that is any customer's DID goes to that IPBX, not to a carrier", () => {
    const r = run({ request_uri: 'sip:+14155552000@relay' }).response;
    expect(r).toMatchObject({
      action: 'route',
      call: { direction: 'onnet', customer_id: ACME },
      targets: [
        { kind: 'ipbx', id: pbxOther.id, uri: 'sip:+14155552000@pbx.other.example:5060;transport=udp' },
      ],
    });
  });
});

describe('decide: digest authentication', () => {
  const src = { source: { ip: '198.51.100.20', port: 5060, transport: 'udp' as const } };
  const answer = (
    nonce: string,
    password = 'pw',
    username = 'acme',
    algorithm: 'MD5' | 'SHA-256' = 'SHA-256',
  ) => {
    const p = { uri: 'sip:+821012345678@relay.example', nonce, nc: '00000001', cnonce: 'abc', qop: 'auth' };
    const response = digestResponse(p, 'INVITE', ha1(algorithm, username, realm, password), algorithm);
    return `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${p.uri}", response="${response}", algorithm=${algorithm}, qop=auth, nc=00000001, cnonce="abc"`;
  };

  it("an IPBX's own digest algorithms: offered as set, in order, and an answer in another is challenged again", () => {
    const md5Only = { ...pbxAuth, digest_algorithms: ['MD5' as const] };
    const own = compileSnapshot({ global: { ...global, ipbxs: [md5Only] }, routes });
    const decideOwn = (over: Partial<DecideRequest> = {}) =>
      decide(req({ ...src, ...over }), own, options).response;
    const challenge = decideOwn();
    expect(challenge).toMatchObject({ action: 'challenge', algorithms: ['MD5'], fixed: true });
    if (challenge.action !== 'challenge') return;
    expect(decideOwn({ authorization: answer(challenge.nonce, 'pw', 'acme', 'MD5') }).action).toBe('route');
    expect(decideOwn({ authorization: answer(challenge.nonce, 'pw', 'acme', 'SHA-256') })).toMatchObject({
      action: 'challenge',
      algorithms: ['MD5'],
    });
  });

  it('challenge → answer → route; wrong password → 403 flagged; stale → stale challenge; replay for another call → challenge', () => {
    const challenge = run(src).response;
    expect(challenge).toMatchObject({
      action: 'challenge',
      realm,
      algorithms: ['SHA-256', 'MD5'],
      stale: false,
    });
    if (challenge.action !== 'challenge') return;
    expect(run({ ...src, authorization: answer(challenge.nonce) }, { now: now + 2000 }).response.action).toBe(
      'route',
    );
    expect(run({ ...src, authorization: answer(challenge.nonce, 'pw', 'acme', 'MD5') }).response.action).toBe(
      'route',
    );
    const wrong = run({ ...src, authorization: answer(challenge.nonce, 'nope') });
    expect(wrong.response).toMatchObject({
      action: 'reject',
      code: 403,
      reason: 'auth_failed',
      auth_failed: true,
    });
    expect(wrong.explain.authFailed).toBe(true);
    expect(
      run({ ...src, authorization: answer(challenge.nonce) }, { now: now + 301_000 }).response,
    ).toMatchObject({
      action: 'challenge',
      stale: true,
    });
    expect(run({ ...src, call_id: 'other', authorization: answer(challenge.nonce) }).response).toMatchObject({
      action: 'challenge',
      stale: false,
    });
  });

  it('an IPBX without allowed sources is found by its realm (From domain) and digest username', () => {
    const roaming = { source: { ip: '192.0.2.50', port: 5060, transport: 'udp' as const } };
    const c = run({ ...roaming, from: `<sip:+12125550100@${realm}>` }).response;
    expect(c).toMatchObject({ action: 'challenge', realm });
    if (c.action !== 'challenge') return;
    // The realm's first IPBX (by id) is challenged; the answer names the roaming IPBX's user.
    const r = run({ ...roaming, authorization: answer(c.nonce, 'pw', 'roamer') }).response;
    expect(r).toMatchObject({ action: 'route', call: { source_id: pbxDigestOnly.id } });
  });
});
