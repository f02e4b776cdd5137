import { describe, expect, it } from 'vitest';
import type { DecideRequest } from '../../../contract/decide';
import type { StoredCredentials } from '../../domain/common';
import type { StoredIpbx } from '../../domain/ipbx';
import { compileSnapshot } from './compile-snapshot';
import { type DecideOptions, decide } from './decide';
import { digestResponse, ha1 } from './digest';
import { seededRandom } from './random';
import { baseIpbx, baseRequest, provider, route, uid } from './test-fixtures';

/**
 * Sources several parties match (docs/security.md): shared by the
 * operator, or overlaps stored before the ownership rule. Table order and
 * prefix length never pick a customer; only digest credentials do.
 */
const now = Date.parse('2026-11-23T10:00:00Z');
const options: DecideOptions = { now, random: seededRandom(1), nonceSecret: 'shared-sources-secret-0' };
const A = uid(71);
const B = uid(72);
const C = uid(73);
const creds = (username: string, realm: string): StoredCredentials => ({
  username,
  realm,
  ha1_md5: ha1('MD5', username, realm, `${username}-pw`),
  ha1_sha256: ha1('SHA-256', username, realm, `${username}-pw`),
});
const pbx = (n: number, customer: string, over: Partial<StoredIpbx>): StoredIpbx => ({
  ...baseIpbx,
  id: uid(n),
  customer_id: customer,
  hostname: `pbx${n}.example`,
  ...over,
});

// Ids chosen so that the intruder of each pair sorts first (compile order is by id).
const sharedB = pbx(701, B, {
  allowed_sources: [{ cidr: '192.0.2.0/24' }],
  shared_source: true,
  credentials: creds('bob', 'hosted.example'),
});
const sharedA = pbx(702, A, {
  allowed_sources: [{ cidr: '192.0.2.10' }],
  shared_source: true,
  credentials: creds('alice', 'hosted.example'),
});
const otherRealm = pbx(703, C, {
  allowed_sources: [{ cidr: '192.0.2.20' }],
  shared_source: true,
  credentials: creds('carol', 'carol.example'),
});
const legacyWide = pbx(704, A, { allowed_sources: [{ cidr: '203.0.113.0/24' }] });
const legacyHost = pbx(705, B, { allowed_sources: [{ cidr: '203.0.113.5' }] });
const besideCarrier = pbx(706, A, {
  allowed_sources: [{ cidr: '198.51.100.77' }],
  credentials: creds('dave', 'dave.example'),
});
const carrier = provider(1, { allowed_sources: [{ cidr: '198.51.100.0/24' }] });

const snapshot = compileSnapshot({
  global: {
    ipbxs: [sharedB, sharedA, otherRealm, legacyWide, legacyHost, besideCarrier],
    providers: [carrier],
    dids: [],
    domains: [],
    profiles: [],
  },
  routes: [
    route({ customer_id: A, provider_id: carrier.id }),
    route({ customer_id: B, provider_id: carrier.id }),
    route({ customer_id: C, provider_id: carrier.id }),
  ],
});

const from = (ip: string, over: Partial<DecideRequest> = {}): DecideRequest => ({
  ...baseRequest,
  source: { ip, port: 5060, transport: 'udp' },
  ...over,
});
const run = (request: DecideRequest, opts: Partial<DecideOptions> = {}) =>
  decide(request, snapshot, { ...options, ...opts }).response;

/** The caller answers the challenge with its own credentials. */
function answered(request: DecideRequest, username: string, realm: string): DecideRequest {
  const challenge = run(request);
  if (challenge.action !== 'challenge')
    throw new Error(`expected a challenge, got ${JSON.stringify(challenge)}`);
  const p = {
    uri: 'sip:+821012345678@relay.example',
    nonce: challenge.nonce,
    nc: '00000001',
    cnonce: 'c',
    qop: 'auth',
  };
  const response = digestResponse(p, 'INVITE', ha1('SHA-256', username, realm, `${username}-pw`), 'SHA-256');
  return {
    ...request,
    authorization: `Digest username="${username}", realm="${realm}", nonce="${p.nonce}", uri="${p.uri}", response="${response}", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c"`,
  };
}

describe('decide: a source shared by IPBXs of several customers', () => {
  it('is challenged first, then each customer’s credentials identify its own IPBX', () => {
    const call = from('192.0.2.10');
    expect(run(call)).toMatchObject({ action: 'challenge', realm: 'hosted.example' });
    expect(run(answered(call, 'alice', 'hosted.example'))).toMatchObject({
      action: 'route',
      call: { customer_id: A, source_id: sharedA.id },
    });
    expect(run(answered(call, 'bob', 'hosted.example'))).toMatchObject({
      action: 'route',
      call: { customer_id: B, source_id: sharedB.id },
    });
  });

  it('credentials of no IPBX on the source are refused, never routed as the most specific one', () => {
    const call = from('192.0.2.10');
    const stranger = answered(call, 'alice', 'hosted.example');
    expect(
      run({ ...stranger, authorization: stranger.authorization!.replace('"alice"', '"mallory"') }),
    ).toEqual({
      action: 'reject',
      code: 403,
      reason: 'ambiguous_source',
    });
  });

  it('several realms: the From domain names the realm to challenge in; otherwise it is ambiguous', () => {
    expect(run(from('192.0.2.20', { from: '<sip:+12125550100@carol.example>' }))).toMatchObject({
      action: 'challenge',
      realm: 'carol.example',
    });
    expect(run(from('192.0.2.20'))).toEqual({ action: 'reject', code: 403, reason: 'ambiguous_source' });
    const carol = answered(
      from('192.0.2.20', { from: '<sip:+12125550100@carol.example>' }),
      'carol',
      'carol.example',
    );
    expect(run(carol)).toMatchObject({ action: 'route', call: { customer_id: C, source_id: otherRealm.id } });
  });

  it('one customer alone on part of the range: as before, its IPBX', () => {
    expect(run(from('192.0.2.99'))).toMatchObject({ action: 'challenge', realm: 'hosted.example' });
    expect(run(answered(from('192.0.2.99'), 'bob', 'hosted.example'))).toMatchObject({
      action: 'route',
      call: { customer_id: B },
    });
  });

  it('simulate (source taken as authenticated) cannot tell them apart', () => {
    expect(run(from('192.0.2.10'), { trustSource: true })).toEqual({
      action: 'reject',
      code: 403,
      reason: 'ambiguous_source',
    });
  });
});

describe('decide: overlaps stored before the ownership rule', () => {
  it('without credentials, neither the more specific nor the first entry wins: 403', () => {
    expect(run(from('203.0.113.5'))).toEqual({ action: 'reject', code: 403, reason: 'ambiguous_source' });
    // Where only one customer's source matches, calls go on as before.
    expect(run(from('203.0.113.9'))).toMatchObject({
      action: 'route',
      call: { customer_id: A, source_id: legacyWide.id },
    });
  });

  it('an IPBX inside a provider’s range: only its credentials make a call its own; the carrier is never picked there', () => {
    const call = from('198.51.100.77');
    expect(run(call)).toMatchObject({ action: 'challenge', realm: 'dave.example' });
    expect(run(answered(call, 'dave', 'dave.example'))).toMatchObject({
      action: 'route',
      call: { source_kind: 'ipbx', source_id: besideCarrier.id },
    });
    expect(run(from('198.51.100.78'))).toMatchObject({ action: 'reject', reason: 'no_did' });
  });

  it('the answer does not depend on the order objects were compiled in', () => {
    const reversed = compileSnapshot({
      global: {
        ipbxs: [besideCarrier, legacyHost, legacyWide, otherRealm, sharedA, sharedB],
        providers: [carrier],
        dids: [],
        domains: [],
        profiles: [],
      },
      routes: [],
    });
    for (const ip of ['203.0.113.5', '192.0.2.10', '198.51.100.77']) {
      expect(decide(from(ip), reversed, options).response).toEqual(run(from(ip)));
    }
  });
});
