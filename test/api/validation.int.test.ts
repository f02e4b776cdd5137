import { beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_CERT_OPENSSL_SHA256,
  FIXTURE_CERT_PEM,
  FIXTURE_CERT_SHA256,
} from '../../functions/domain/peer-tls.fixture';
import { apiHarness } from './api-fixture';
import { create, makeRefs, type Refs, validBody } from './world';

/** A private key pasted where certificates belong (a throwaway Ed25519 key). */
const PRIVATE_KEY_PEM =
  '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHRlc3Qta2V5LW5vdC11c2VkLWFueXdoZXJlLTAwMDAw\n-----END PRIVATE KEY-----\n';

type H = Awaited<ReturnType<typeof apiHarness>>;

/** Each validation rule: a valid body with one change, and the field the 400 must name. */
const rules: [path: string, change: Record<string, unknown>, field: string][] = [
  ['customers', { name: '' }, 'name'],
  ['customers', { name: 'x'.repeat(256) }, 'name'],
  ['customers', { detail: 'x'.repeat(2001) }, 'detail'],
  ['providers', { name: undefined }, 'name'],
  ['providers', { type: 'iax' }, 'type'],
  ['providers', { hostname: 'bad host!' }, 'hostname'],
  ['providers', { port: 0 }, 'port'],
  ['providers', { port: 65536 }, 'port'],
  ['providers', { transport: 'sctp' }, 'transport'],
  ['providers', { tech_prefix: 'abc' }, 'tech_prefix'],
  ['providers', { tech_postfix: 'x' }, 'tech_postfix'],
  ['providers', { tech_headers: { Via: 'SIP/2.0/UDP x' } }, 'tech_headers.Via'],
  ['providers', { tech_headers: { 'X-A': 'a\r\nInjected: 1' } }, 'tech_headers.X-A'],
  ['providers', { tech_headers: { 'bad name': 'x' } }, 'tech_headers.bad name'],
  ['providers', { allowed_sources: [{ cidr: '300.1.2.3/8' }] }, 'allowed_sources.0.cidr'],
  [
    'providers',
    { allowed_sources: [{ cidr: '192.0.2.1' }, { cidr: '2001:db8::/200' }] },
    'allowed_sources.1.cidr',
  ],
  ['providers', { allowed_sources: [{ cidr: '192.0.2.1', port: 0 }] }, 'allowed_sources.0.port'],
  ['providers', { credentials: { username: '', password: 'p', realm: 'r' } }, 'credentials.username'],
  ['providers', { credentials: { username: 'u', realm: 'r' } }, 'credentials.password'],
  ['providers', { limits: { max_concurrent_calls: 0 } }, 'limits.max_concurrent_calls'],
  ['providers', { limits: { max_cps: 0 } }, 'limits.max_cps'],
  ['providers', { timers: { provisional_ms: 50 } }, 'timers.provisional_ms'],
  ['providers', { health_check: { interval_s: 1 } }, 'health_check.interval_s'],
  ['providers', { normalization_profile_id: 'nope' }, 'normalization_profile_id'],
  ['providers', { timers: { final_ms: 10 } }, 'timers.final_ms'],
  ['providers', { health_check: { enabled: 'on' } }, 'health_check.enabled'],
  ['providers', { codecs: { allow: ['PCMA', 'no spaces'] } }, 'codecs.allow.1'],
  ['providers', { dtmf_mode: 'smoke' }, 'dtmf_mode'],
  ['providers', { enabled: 'no' }, 'enabled'],
  ['providers', { tls: { ca_pem: 'not a certificate' } }, 'tls.ca_pem'],
  ['providers', { tls: { ca_pem: `${FIXTURE_CERT_PEM}${PRIVATE_KEY_PEM}` } }, 'tls.ca_pem'],
  ['providers', { tls: { ca_pem: FIXTURE_CERT_PEM.replace('MIIB', 'MIIX') } }, 'tls.ca_pem'],
  ['providers', { tls: { verify_server: 'no' } }, 'tls.verify_server'],
  ['providers', { tls: { client_cert_sha256: ['abc'] } }, 'tls.client_cert_sha256.0'],
  ['ipbxs', { customer_id: undefined }, 'customer_id'],
  ['ipbxs', { customer_id: 'not-an-id' }, 'customer_id'],
  ['ipbxs', { hostname: '' }, 'hostname'],
  ['ipbxs', { enabled: 'yes' }, 'enabled'],
  ['ipbxs', { allowed_sources: [{ cidr: 'example.com' }] }, 'allowed_sources.0.cidr'],
  ['ipbxs', { media_anchor: 1 }, 'media_anchor'],
  ['ipbxs', { name: '   ' }, 'name'],
  ['ipbxs', { port: 1.5 }, 'port'],
  ['ipbxs', { credentials: { username: 'u', password: 'p', realm: '' } }, 'credentials.realm'],
  ['ipbxs', { codecs: { transcode: ['x y'] } }, 'codecs.transcode.0'],
  ['ipbxs', { dtmf_mode: 'loud' }, 'dtmf_mode'],
  ['ipbxs', { digest_algorithms: ['SHA-512'] }, 'digest_algorithms.0'],
  ['ipbxs', { digest_algorithms: ['MD5', 'MD5'] }, 'digest_algorithms'],
  ['ipbxs', { digest_algorithms: [] }, 'digest_algorithms'],
  ['ipbxs', { limits: { max_cps: -1 } }, 'limits.max_cps'],
  ['ipbxs', { normalization_profile_id: 5 }, 'normalization_profile_id'],
  ['ipbxs', { tls: { ca_pem: `${FIXTURE_CERT_PEM}${'#'.repeat(64 * 1024)}` } }, 'tls.ca_pem'],
  [
    'ipbxs',
    { tls: { client_cert_sha256: [FIXTURE_CERT_SHA256, 'g'.repeat(64)] } },
    'tls.client_cert_sha256.1',
  ],
  ['ipbxs', { tls: { client_cert_sha256: 'not-a-list' } }, 'tls.client_cert_sha256'],
  ['dids', { number: '14155550100' }, 'number'],
  ['dids', { number: '+1415' }, 'number'],
  ['dids', { ipbx_id: undefined }, 'ipbx_id'],
  ['dids', { range: 'no' }, 'range'],
  ['dids', { name: 'x'.repeat(256) }, 'name'],
  ['dids', { customer_id: 'x' }, 'customer_id'],
  ['domains', { name: 'not a domain!' }, 'name'],
  ['domains', { name: '-bad.example' }, 'name'],
  ['domains', { detail: 7 }, 'detail'],
  ['normalization-profiles', { country_code: '0' }, 'country_code'],
  ['normalization-profiles', { national_prefix: 'a' }, 'national_prefix'],
  ['normalization-profiles', { international_prefix: '0000000' }, 'international_prefix'],
  ['normalization-profiles', { egress_format: 'dots' }, 'egress_format'],
  [
    'normalization-profiles',
    { rules: [{ direction: 'sideways', match: 'a', replace: '' }] },
    'rules.0.direction',
  ],
  ['normalization-profiles', { rules: [{ direction: 'ingress', match: '(', replace: '' }] }, 'rules.0.match'],
  [
    'normalization-profiles',
    { rules: [{ direction: 'egress', party: 'x', match: 'a', replace: '' }] },
    'rules.0.party',
  ],
  ['routes', { target: '82' }, 'target'],
  ['routes', { target: '+1234567890123456' }, 'target'],
  ['routes', { provider_id: 'x' }, 'provider_id'],
  ['routes', { priority: -1 }, 'priority'],
  ['routes', { weight: 0 }, 'weight'],
  ['routes', { lcr: 'yes' }, 'lcr'],
  ['routes', { time_windows: [{ days: [], start: '08:00', end: '09:00' }] }, 'time_windows.0.days'],
  ['routes', { time_windows: [{ days: ['funday'], start: '08:00', end: '09:00' }] }, 'time_windows.0.days.0'],
  ['routes', { time_windows: [{ days: ['mon'], start: '24:00', end: '09:00' }] }, 'time_windows.0.start'],
  ['routes', { time_windows: [{ days: ['mon'], start: '08:00', end: '9:00' }] }, 'time_windows.0.end'],
  [
    'routes',
    { time_windows: [{ days: ['mon'], start: '08:00', end: '09:00', tz: 'Mars/Base' }] },
    'time_windows.0.tz',
  ],
  ['routes', { failover_codes: [200] }, 'failover_codes.0'],
  ['routes', { name: '' }, 'name'],
  ['routes', { enabled: null }, 'enabled'],
  ['api-keys', { customer_id: undefined }, 'customer_id'],
  ['api-keys', { name: ' ' }, 'name'],
];

describe('validation', () => {
  let h: H;
  let refs: Refs;
  beforeAll(async () => {
    h = await apiHarness();
    refs = await makeRefs(h.call);
  });

  it.each(rules)('%s %j → 400 naming %s', async (path, change, field) => {
    const body = { ...validBody[path]!(refs), ...change };
    const res = await h.call('POST', `/v1/${path}`, { body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: expect.any(String), title: 'Bad Request', status: 400 });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each(rules.filter(([path]) => path !== 'api-keys').filter((_, i) => i % 3 === 0))(
    'PATCH %s %j validates the merged object and names %s',
    async (path, change, field) => {
      const existing = await create(h.call, path, validBody[path]!(refs));
      const patch = Object.fromEntries(
        Object.entries(change).map(([k, v]) => [k, v === undefined ? null : v]),
      );
      const res = await h.call('PATCH', `/v1/${path}/${existing.id}`, { body: patch });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect((await h.call('GET', `/v1/${path}/${existing.id}`)).body).toEqual(existing);
    },
  );

  it('tls settings: defaults, a CA bundle and pins stored lowercase without colons; errors never echo a key', async () => {
    const plain = await create(h.call, 'providers', validBody['providers']!(refs));
    expect(plain.tls).toEqual({ verify_server: true, ca_pem: null, client_cert_sha256: [] });
    const body = {
      ...validBody['ipbxs']!(refs),
      transport: 'tls',
      tls: { ca_pem: FIXTURE_CERT_PEM, client_cert_sha256: [FIXTURE_CERT_OPENSSL_SHA256] },
    };
    const ipbx = await create(h.call, 'ipbxs', body);
    expect(ipbx.tls).toEqual({
      verify_server: true,
      ca_pem: FIXTURE_CERT_PEM,
      client_cert_sha256: [FIXTURE_CERT_SHA256],
    });
    const opted = await h.call('PATCH', `/v1/ipbxs/${ipbx.id}`, { body: { tls: { verify_server: false } } });
    expect(opted.status).toBe(200);
    expect(opted.body.tls).toEqual({ verify_server: false, ca_pem: null, client_cert_sha256: [] });
    const refused = await h.call('POST', '/v1/providers', {
      body: { ...validBody['providers']!(refs), tls: { ca_pem: PRIVATE_KEY_PEM } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { field: 'tls.ca_pem', message: expect.stringContaining('only CERTIFICATE blocks are accepted') },
    ]);
    expect(JSON.stringify(refused.body)).not.toContain('MC4CAQAw');
  });

  it.each([
    ['malformed JSON', { raw: '{"name":', contentType: 'application/json' }],
    ['a JSON array', { raw: '[1,2]', contentType: 'application/json' }],
    ['an empty body', { raw: '', contentType: 'application/json' }],
  ])('POST with %s → 400 problem', async (_what, options) => {
    const res = await h.call('POST', '/v1/customers', options);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it.each([
    ['/v1/routes?page_size=0', 'page_size'],
    ['/v1/routes?page_size=101', 'page_size'],
    ['/v1/routes?page_size=many', 'page_size'],
    ['/v1/routes?page_token=garbage', 'page_token'],
    [`/v1/routes?page_token=${Buffer.from('{"PK":"X"}').toString('base64url')}`, 'page_token'],
    ['/v1/routes?customer_id=nope', 'customer_id'],
    ['/v1/routes/not-an-id', 'id'],
  ])('GET %s → 400 naming %s', async (url, field) => {
    const res = await h.call('GET', url);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('a page token of another list is refused', async () => {
    for (let i = 0; i < 3; i++) await create(h.call, 'customers', validBody['customers']!(refs));
    const page = await h.call('GET', '/v1/customers?page_size=1');
    expect(page.body.next_page_token).not.toBe('');
    const res = await h.call('GET', `/v1/routes?page_token=${page.body.next_page_token}`);
    expect(res.status).toBe(400);
  });

  it('PATCH with a non-object body → 400; unknown ids → 404; unknown routes → 404', async () => {
    const route = await create(h.call, 'routes', validBody['routes']!(refs));
    expect((await h.call('PATCH', `/v1/routes/${route.id}`, { raw: '"x"' })).status).toBe(400);
    const unknown = '3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10';
    for (const method of ['GET', 'DELETE'])
      expect((await h.call(method, `/v1/routes/${unknown}`)).status).toBe(404);
    expect((await h.call('PUT', `/v1/routes/${unknown}`, { body: validBody['routes']!(refs) })).status).toBe(
      404,
    );
    const res = await h.call('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('a reference to a missing object is a 400 naming the field, and writes nothing', async () => {
    const unknown = '3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10';
    const cases: [string, Record<string, unknown>, string][] = [
      ['routes', { provider_id: unknown }, 'provider_id'],
      ['routes', { customer_id: unknown }, 'customer_id'],
      ['dids', { ipbx_id: unknown }, 'ipbx_id'],
      ['ipbxs', { normalization_profile_id: unknown }, 'normalization_profile_id'],
      ['providers', { normalization_profile_id: refs.profileId }, 'normalization_profile_id'],
    ];
    for (const [path, change, field] of cases) {
      const res = await h.call('POST', `/v1/${path}`, { body: { ...validBody[path]!(refs), ...change } });
      expect(res.status, `${path} ${field}`).toBe(400);
      expect(res.body.errors).toEqual([{ field, message: expect.stringContaining('does not exist') }]);
    }
  });
});
