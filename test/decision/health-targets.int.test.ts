import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { healthTargets } from '../../contract/health';
import { createApp } from '../../functions/api';
import { createDecisionApp, createRouting } from '../../functions/decision';
import { keys, type Store } from '../../functions/store';
import type { Json } from '../api/api-fixture';
import { freshStore } from '../api/store-fixture';
import { requestInit } from '../support/request-init';

const ADMIN = 'test-admin-key-0123456789';
const RELAY = 'relay-token-for-health-targets-0123';
const PATH = '/v1/routing/health-targets';
const DEFAULTS = {
  timeout_ms: 2000,
  down_after: 3,
  up_after: 2,
  alive_codes: ['2xx', '3xx', '4xx', '6xx'],
  passive_down_after: 3,
};

type App = { request: ReturnType<typeof createApp>['request'] };
let store: Store;
let api: ReturnType<typeof createApp>;
let decision: ReturnType<typeof createDecisionApp>;
const ids: Record<string, string> = {};

async function call(app: App, method: string, path: string, body?: unknown, key: string | null = ADMIN) {
  const init = requestInit(method, key ?? '', body);
  if (key === null) delete (init.headers as Record<string, string>)['authorization'];
  const res = await app.request(path, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
}

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await call(api, 'POST', '/v1/providers', body);
  if (res.status !== 201) throw new Error(`provider: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

const targetsOf = (app: App, key: string | null = RELAY) => call(app, 'GET', PATH, undefined, key);

beforeAll(async () => {
  store = await freshStore();
  api = createApp({ store, adminKey: ADMIN, decision: { relayToken: RELAY } });
  decision = createDecisionApp({ store, ...createRouting(store, { relayToken: RELAY }).deps });
  ids.probed = await create({
    name: 'probed',
    hostname: 'sip.one.example',
    port: 5070,
    transport: 'tcp',
    health_check: {
      enabled: true,
      interval_s: 10,
      timeout_ms: 1500,
      down_after: 4,
      up_after: 1,
      alive_codes: ['200', '4xx'],
      passive_down_after: 5,
    },
  });
  ids.unprobed = await create({ name: 'unprobed', hostname: 'sip.two.example' });
  ids.disabled = await create({
    name: 'disabled',
    hostname: 'sip.three.example',
    enabled: false,
    health_check: { enabled: true },
  });
  ids.tls = await create({
    name: 'tls v6',
    hostname: '2001:db8::7',
    port: 5061,
    transport: 'tls',
    tls: { verify_server: false },
    health_check: { enabled: true },
  });
  ids.old = await create({ name: 'old', hostname: '192.0.2.44', health_check: { enabled: true } });
  // As stored before timeout_ms and the others existed.
  await store.doc.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: keys.object('provider', ids.old),
      UpdateExpression: 'SET #doc.#hc = :hc',
      ExpressionAttributeNames: { '#doc': 'doc', '#hc': 'health_check' },
      ExpressionAttributeValues: { ':hc': { enabled: true, interval_s: 20 } },
    }),
  );
});

describe('GET /v1/routing/health-targets', () => {
  it('lists the enabled providers with health checks on, with their URI and every setting', async () => {
    for (const app of [api, decision]) {
      const res = await targetsOf(app);
      expect(res.status).toBe(200);
      expect(healthTargets.parse(res.body)).toEqual(res.body);
      const byId = new Map(res.body.providers.map((t: Json) => [t.provider_id, t]));
      expect([...byId.keys()].sort()).toEqual([ids.probed, ids.tls, ids.old].sort());
      expect(byId.get(ids.probed)).toEqual({
        provider_id: ids.probed,
        uri: 'sip:sip.one.example:5070;transport=tcp',
        transport: 'tcp',
        interval_s: 10,
        timeout_ms: 1500,
        down_after: 4,
        up_after: 1,
        alive_codes: ['200', '4xx'],
        passive_down_after: 5,
      });
      expect(byId.get(ids.tls)).toEqual({
        provider_id: ids.tls,
        uri: 'sip:[2001:db8::7]:5061;transport=tls',
        transport: 'tls',
        tls: { verify: false },
        interval_s: 30,
        ...DEFAULTS,
      });
      // Stored before the new settings: their defaults.
      expect(byId.get(ids.old)).toEqual({
        provider_id: ids.old,
        uri: 'sip:192.0.2.44:5060;transport=udp',
        transport: 'udp',
        interval_s: 20,
        ...DEFAULTS,
      });
    }
  });

  it('takes the relay token, as decide does: 401 without it or with an api key, 503 when unset', async () => {
    for (const app of [api, decision]) {
      expect((await targetsOf(app, null)).status).toBe(401);
      expect((await targetsOf(app, ADMIN)).status).toBe(401);
      expect((await targetsOf(app, 'not-the-relay-token')).status).toBe(401);
      expect((await call(app, 'POST', PATH, {}, RELAY)).status).toBe(405);
    }
    const unset = createApp({ store, adminKey: ADMIN });
    expect((await targetsOf(unset)).status).toBe(503);
    const unsetDecision = createDecisionApp({ store, ...createRouting(store, {}).deps });
    expect((await targetsOf(unsetDecision)).status).toBe(503);
  });

  it('follows API writes: a provider whose health check is turned on appears, with the defaults', async () => {
    const patched = await call(api, 'PATCH', `/v1/providers/${ids.unprobed}`, {
      health_check: { enabled: true },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.health_check).toEqual({ enabled: true, interval_s: 30, ...DEFAULTS });
    const targets = (await targetsOf(api)).body.providers;
    expect(targets.find((t: Json) => t.provider_id === ids.unprobed)).toMatchObject({
      uri: 'sip:sip.two.example:5060;transport=udp',
      ...DEFAULTS,
    });
    expect((await call(api, 'PATCH', `/v1/providers/${ids.unprobed}`, { enabled: false })).status).toBe(200);
    expect((await targetsOf(api)).body.providers.map((t: Json) => t.provider_id)).not.toContain(ids.unprobed);
  });
});

describe('provider health_check through the API', () => {
  it('PATCH replaces health_check as a whole (defaults for what it omits), as other nested objects', async () => {
    const res = await call(api, 'PATCH', `/v1/providers/${ids.probed}`, {
      health_check: { enabled: true, down_after: 6 },
    });
    expect(res.status).toBe(200);
    expect(res.body.health_check).toEqual({ enabled: true, interval_s: 30, ...DEFAULTS, down_after: 6 });
    expect((await call(api, 'GET', `/v1/providers/${ids.probed}`)).body.health_check.down_after).toBe(6);
  });

  it('refuses a timeout not below the interval, naming health_check.timeout_ms', async () => {
    const patch = await call(api, 'PATCH', `/v1/providers/${ids.probed}`, {
      health_check: { enabled: true, interval_s: 5, timeout_ms: 5000 },
    });
    expect(patch.status).toBe(400);
    expect(patch.body.errors.map((e: Json) => e.field)).toEqual(['health_check.timeout_ms']);
    const post = await call(api, 'POST', '/v1/providers', {
      name: 'bad',
      hostname: 'sip.bad.example',
      health_check: { alive_codes: ['7xx'], up_after: 0 },
    });
    expect(post.status).toBe(400);
    expect(post.body.errors.map((e: Json) => e.field).sort()).toEqual([
      'health_check.alive_codes.0',
      'health_check.up_after',
    ]);
  });

  it('reads a provider stored before the settings, and fills them in on its next write', async () => {
    const got = await call(api, 'GET', `/v1/providers/${ids.old}`);
    expect(got.status).toBe(200);
    expect(got.body.health_check).toMatchObject({ enabled: true, interval_s: 20 });
    const patched = await call(api, 'PATCH', `/v1/providers/${ids.old}`, { detail: 'touched' });
    expect(patched.status).toBe(200);
    expect(patched.body.health_check).toEqual({ enabled: true, interval_s: 20, ...DEFAULTS });
  });

  it('documents the new routes and fields in a valid OpenAPI document', async () => {
    const doc = (await call(api, 'GET', '/v1/openapi.json', undefined, null)).body;
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(Object.keys(doc.paths[PATH])).toEqual(['get']);
    expect(doc.paths[PATH].get.security).toEqual([{ relayToken: [] }]);
    expect(Object.keys(doc.paths['/v1/providers/status'])).toEqual(['post']);
    expect(doc.paths['/v1/providers/status'].post.security).toEqual([{ relayToken: [] }]);
    expect(Object.keys(doc.paths['/v1/providers/{id}/status'])).toEqual(['get']);
    expect(Object.keys(doc.components.schemas.HealthCheck.properties).sort()).toEqual([
      'alive_codes',
      'down_after',
      'enabled',
      'interval_s',
      'passive_down_after',
      'timeout_ms',
      'up_after',
    ]);
  });
});
