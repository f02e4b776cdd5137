import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decideResponse } from '../../contract/decide';
import { createApp } from '../../functions/api';
import { createDecisionApp, createRouting } from '../../functions/decision';
import type { Store } from '../../functions/store';
import { freshStore } from '../api/store-fixture';
import { requestInit } from '../support/request-init';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';

const ADMIN = 'test-admin-key-0123456789';
const RELAY = 'tdm_relay_test_0123456789';
const NONCE = 'nonce-secret-0123456789';
const REDIS_TOKEN = 'bridge-token-routing';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type App = ReturnType<typeof createApp>;
let store: Store;
let bridge: UpstashBridge;
let api: App; // the API app (writes, simulate, decide)
let other: ReturnType<typeof createDecisionApp>; // a second instance: the decision-only app
const ids: Record<string, string> = {};

async function call(
  app: { request: App['request'] },
  method: string,
  path: string,
  body?: unknown,
  key = ADMIN,
) {
  const res = await app.request(path, requestInit(method, key, body));
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function create(path: string, body: unknown): Promise<string> {
  const res = await call(api, 'POST', path, body);
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

const invite = (over: Record<string, unknown> = {}) => ({
  call_id: `call-${randomBytes(4).toString('hex')}`,
  source: { ip: '198.51.100.10', port: 5060, transport: 'udp' },
  request_uri: 'sip:010-1234-5678@relay.example',
  from: '"Alice" <sip:0212345678@pbx.acme.example>;tag=1',
  to: '<sip:01012345678@relay.example>',
  ...over,
});

const decideOn = async (app: { request: App['request'] }, body = invite(), key = RELAY) =>
  call(app, 'POST', '/v1/routing/decide', body, key);
const order = (res: { body: { targets?: { id: string }[] } }) => res.body.targets?.map((t) => t.id);

beforeAll(async () => {
  store = await freshStore();
  bridge = await startUpstashBridge({ redisUrl: inject('redisUrl'), token: REDIS_TOKEN });
  const decision = {
    relayToken: RELAY,
    nonceSecret: NONCE,
    upstashUrl: bridge.url,
    upstashToken: REDIS_TOKEN,
    cachePrefix: `routing-${randomBytes(4).toString('hex')}`,
  };
  api = createApp({ store, adminKey: ADMIN, decision });
  other = createDecisionApp({ store, ...createRouting(store, decision).deps });

  ids.acme = await create('/v1/customers', { name: 'Acme' });
  ids.korea = await create('/v1/normalization-profiles', {
    customer_id: ids.acme,
    name: 'korea',
    country_code: '82',
  });
  ids.pbx = await create('/v1/ipbxs', {
    customer_id: ids.acme,
    name: 'pbx',
    hostname: 'pbx.acme.example',
    allowed_sources: [{ cidr: '198.51.100.0/24' }, { cidr: '2001:db8:aa::/48', port: 5062 }],
    normalization_profile_id: ids.korea,
  });
  ids.a = await create('/v1/providers', {
    name: 'carrier a',
    hostname: 'sip.a.example',
    tech_prefix: '77#',
    allowed_sources: [{ cidr: '203.0.113.0/24' }],
  });
  ids.b = await create('/v1/providers', { name: 'carrier b', hostname: 'sip.b.example' });
  ids.c = await create('/v1/providers', { name: 'carrier c', hostname: 'sip.c.example' });
  ids.r1 = await create('/v1/routes', {
    customer_id: ids.acme,
    provider_id: ids.a,
    target: '+82',
    priority: 1,
  });
  ids.r2 = await create('/v1/routes', {
    customer_id: ids.acme,
    provider_id: ids.b,
    target: '+82',
    priority: 2,
  });
  ids.r3 = await create('/v1/routes', {
    customer_id: '00000000-0000-0000-0000-000000000001',
    provider_id: ids.c,
    target: 'all',
  });
  ids.securePbx = await create('/v1/ipbxs', {
    customer_id: ids.acme,
    name: 'secure pbx',
    hostname: 'secure.acme.example',
    allowed_sources: [{ cidr: '192.0.2.10' }],
    credentials: { username: 'acme', password: 'correct horse', realm: 'acme.sip.example' },
  });
  ids.did = await create('/v1/dids', { customer_id: ids.acme, number: '+14155550100', ipbx_id: ids.pbx });
});

afterAll(async () => {
  await bridge.stop();
});

describe('POST /v1/routing/decide over HTTP (DynamoDB Local + Redis through the Upstash bridge)', () => {
  it('is disabled (503) while no relay token is configured', async () => {
    const bare = createApp({ store, adminKey: ADMIN });
    expect((await decideOn(bare)).status).toBe(503);
  });

  it('refuses requests without the relay token, and API keys', async () => {
    expect((await decideOn(api, invite(), 'wrong-token-xxxxxxxx')).status).toBe(401);
    expect((await decideOn(api, invite(), ADMIN)).status).toBe(401);
    expect((await call(api, 'POST', '/v1/routing/decide', { nope: 1 }, RELAY)).status).toBe(400);
  });

  it('routes an outbound call: normalized, ordered, formatted, contract-valid', async () => {
    const res = await decideOn(api);
    expect(res.status).toBe(200);
    expect(decideResponse.parse(res.body)).toBeTruthy();
    expect(res.body.call).toMatchObject({
      direction: 'outbound',
      callee: '+821012345678',
      caller: '+82212345678',
    });
    expect(order(res)).toEqual([ids.a, ids.b, ids.c]);
    expect(res.body.targets[0].uri).toBe('sip:77#+821012345678@sip.a.example:5060;transport=udp');
  });

  it('inbound from a provider to a DID, IPv6 source, unknown source', async () => {
    const inbound = await decideOn(
      api,
      invite({
        source: { ip: '203.0.113.5', port: 5060, transport: 'udp' },
        request_uri: 'sip:+14155550100@relay',
        from: '<sip:+12125550100@sip.a.example>;tag=9',
      }),
    );
    expect(inbound.body).toMatchObject({
      action: 'route',
      call: { direction: 'inbound' },
      targets: [{ id: ids.pbx }],
    });
    const v6 = await decideOn(
      api,
      invite({ source: { ip: '2001:db8:aa::9', port: 5062, transport: 'udp' } }),
    );
    expect(v6.body.action).toBe('route');
    const unknown = await decideOn(
      api,
      invite({ source: { ip: '192.0.2.1', port: 5060, transport: 'udp' } }),
    );
    expect(unknown.body).toEqual({ action: 'reject', code: 403, reason: 'unknown_source' });
  });

  it('the decision-only app answers the same', async () => {
    const res = await decideOn(other);
    expect(order(res)).toEqual([ids.a, ids.b, ids.c]);
    expect((await other.request('/healthz')).status).toBe(200);
    expect((await other.request('/v1/customers')).status).toBe(404);
  });
});

describe('digest through HTTP', () => {
  const secure = {
    source: { ip: '192.0.2.10', port: 5060, transport: 'udp' },
    call_id: 'digest-call-1',
    request_uri: 'sip:+821012345678@relay.example',
    from: '<sip:+82212345678@acme.sip.example>;tag=2',
  };
  const answer = (nonce: string, password: string) => {
    const uri = 'sip:+821012345678@relay.example';
    const ha1 = sha256(`acme:acme.sip.example:${password}`);
    const response = sha256(`${ha1}:${nonce}:00000001:c1:auth:${sha256(`INVITE:${uri}`)}`);
    return `Digest username="acme", realm="acme.sip.example", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c1"`;
  };

  it('challenge → answer routes once; the same answer again is challenged (Redis replay guard); wrong password → 403', async () => {
    const challenge = await decideOn(api, invite(secure));
    expect(challenge.body).toMatchObject({ action: 'challenge', realm: 'acme.sip.example', stale: false });
    const authorization = answer(challenge.body.nonce, 'correct horse');
    expect((await decideOn(api, invite({ ...secure, authorization }))).body.action).toBe('route');
    // Replayed, even to the other instance: refused cluster-wide.
    expect((await decideOn(other, invite({ ...secure, authorization }))).body).toMatchObject({
      action: 'challenge',
    });
    const wrong = await decideOn(
      api,
      invite({ ...secure, authorization: answer(challenge.body.nonce, 'guess') }),
    );
    expect(wrong.body).toMatchObject({
      action: 'reject',
      code: 403,
      reason: 'auth_failed',
      auth_failed: true,
    });
  });
});

describe('POST /v1/routing/simulate', () => {
  it('explains targets and skipped candidates (customer form)', async () => {
    await call(api, 'PATCH', `/v1/routes/${ids.r2}`, { enabled: false });
    const res = await call(api, 'POST', '/v1/routing/simulate', {
      customer_id: ids.acme,
      caller: '+82212345678',
      callee: '+821012345678',
      at: '2026-11-23T10:00:00Z',
    });
    expect(res.status).toBe(200);
    expect(res.body.action).toBe('route');
    expect(res.body.targets.map((t: { provider_id: string }) => t.provider_id)).toEqual([ids.a, ids.c]);
    expect(res.body.targets[0].reason).toBe('tier=customer prefix=+82 priority=1 weight=100');
    expect(res.body.targets[0]).not.toHaveProperty('credentials');
    expect(res.body.skipped).toEqual([{ route_id: ids.r2, provider_id: ids.b, reason: 'route_disabled' }]);
    await call(api, 'PATCH', `/v1/routes/${ids.r2}`, { enabled: true });
  });

  it('source form, and customer keys see their own calls only', async () => {
    const key = (await call(api, 'POST', '/v1/api-keys', { customer_id: ids.acme, name: 'k' })).body
      .key as string;
    const otherCustomer = await create('/v1/customers', { name: 'Other' });
    const bySource = await call(
      api,
      'POST',
      '/v1/routing/simulate',
      { source: { ip: '198.51.100.77' }, caller: '0212345678', callee: '01012345678' },
      key,
    );
    expect(bySource.status).toBe(200);
    expect(bySource.body.call).toMatchObject({ customer_id: ids.acme, callee: '+821012345678' });
    const foreign = await call(
      api,
      'POST',
      '/v1/routing/simulate',
      { customer_id: otherCustomer, caller: '+1', callee: '+821012345678' },
      key,
    );
    expect(foreign.status).toBe(404);
    expect((await call(api, 'POST', '/v1/routing/simulate', { customer_id: 'x' })).status).toBe(400);
  });

  it('both endpoints are in the OpenAPI document', async () => {
    const doc = (await call(api, 'GET', '/v1/openapi.json')).body;
    expect(doc.paths['/v1/routing/decide'].post.security).toEqual([{ relayToken: [] }]);
    expect(doc.paths['/v1/routing/simulate']).toBeDefined();
  });
});

async function until(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < limitMs) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not seen within ${limitMs} ms`);
}

describe('cache invalidation across instances', () => {
  it('a write through the API is seen by the second instance within 1 s (Redis token)', async () => {
    expect(order(await decideOn(other))).toEqual([ids.a, ids.b, ids.c]); // warm
    await call(api, 'PATCH', `/v1/routes/${ids.r1}`, { priority: 3 });
    const ms = await until(async () => order(await decideOn(other))?.[0] === ids.b, 1_000);
    expect(ms).toBeLessThan(1_000);
    await call(api, 'PATCH', `/v1/routes/${ids.r1}`, { priority: 1 });
    await until(async () => order(await decideOn(other))?.[0] === ids.a, 1_000);
  });

  it('a Redis outage: writes succeed, decisions keep answering and catch up from DynamoDB', async () => {
    bridge.pause();
    try {
      const write = await call(api, 'PATCH', `/v1/routes/${ids.r1}`, { priority: 4 });
      expect(write.status).toBe(200);
      const ms = await until(async () => {
        const res = await decideOn(other);
        expect(res.status).toBe(200);
        return order(res)?.[0] === ids.b;
      }, 8_000);
      expect(ms).toBeLessThan(8_000);
    } finally {
      bridge.resume();
    }
  });
});
