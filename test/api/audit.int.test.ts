import type { AddressInfo } from 'node:net';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api';
import { hashApiKey, type Store, storeCredentials } from '../../functions/store';
import { ADMIN_KEY, type Json } from './api-fixture';
import { freshStore } from './store-fixture';

const PROVIDER_PASSWORD = 'provider-digest-pw-1';
const PROVIDER_PASSWORD_2 = 'provider-digest-pw-2';
const SOURCE = { ip: '198.51.100.7', forwarded: '203.0.113.9, 10.0.0.1', agent: 'audit-test/1.0' };
const RETENTION_DAYS = 30;

describe('audit log: GET /v1/audit-events', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  let requestNo = 0;
  const ids: Record<string, string> = {};
  const secrets: string[] = [];

  /** A request as API Gateway hands it to the Lambda: its sourceIp and request id in the context. */
  async function send(method: string, path: string, body?: unknown, key = ADMIN_KEY, raw?: string) {
    const requestId = `req-${++requestNo}`;
    const res = await app.request(
      path,
      {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': raw !== undefined ? 'text/csv' : 'application/json',
          'user-agent': SOURCE.agent,
          'x-forwarded-for': SOURCE.forwarded,
        },
        ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      { requestContext: { requestId, http: { sourceIp: SOURCE.ip } } },
    );
    const text = await res.text();
    return { status: res.status, text, body: (text ? JSON.parse(text) : undefined) as Json, requestId };
  }

  const ok = async (method: string, path: string, body?: unknown, key = ADMIN_KEY, status = 201) => {
    const res = await send(method, path, body, key);
    expect(res.status, `${method} ${path}: ${res.text}`).toBe(status);
    return res;
  };

  /** Every page of a query, following next_page_token. */
  async function all(query: string, key = ADMIN_KEY, pageSize = 100): Promise<Json[]> {
    const events: Json[] = [];
    let token = '';
    do {
      const sep = query ? '&' : '';
      const res = await send(
        'GET',
        `/v1/audit-events?${query}${sep}page_size=${pageSize}${token ? `&page_token=${token}` : ''}`,
        undefined,
        key,
      );
      expect(res.status, res.text).toBe(200);
      events.push(...res.body.result);
      token = res.body.next_page_token;
    } while (token);
    return events;
  }

  /** How many events the table holds (GSI2: every event). */
  async function stored(): Promise<number> {
    const out = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': 'AUDIT' },
        Select: 'COUNT',
        ConsistentRead: false,
      }),
    );
    return out.Count ?? 0;
  }

  beforeAll(async () => {
    store = await freshStore();
    app = createApp({ store, adminKey: ADMIN_KEY, auditRetentionDays: RETENTION_DAYS });
    ids['a'] = (await ok('POST', '/v1/customers', { name: 'acme' })).body.id;
    ids['b'] = (await ok('POST', '/v1/customers', { name: 'bravo' })).body.id;
    const provider = await ok('POST', '/v1/providers', {
      name: 'carrier',
      hostname: 'sip.carrier.example',
      credentials: { username: 'tandem', realm: 'carrier', password: PROVIDER_PASSWORD },
    });
    ids['provider'] = provider.body.id;
    ids['providerRequest'] = provider.requestId;
    await ok(
      'PATCH',
      `/v1/providers/${ids['provider']}`,
      { credentials: { username: 'tandem', realm: 'carrier', password: PROVIDER_PASSWORD_2 } },
      ADMIN_KEY,
      200,
    );
    const keyA = await ok('POST', '/v1/api-keys', { customer_id: ids['a'], name: 'acme ops' });
    const keyB = await ok('POST', '/v1/api-keys', { customer_id: ids['b'], name: 'bravo ops' });
    ids['keyA'] = keyA.body.key;
    ids['keyAId'] = keyA.body.id;
    ids['keyB'] = keyB.body.key;
    ids['keyBId'] = keyB.body.id;
    for (const password of [PROVIDER_PASSWORD, PROVIDER_PASSWORD_2]) {
      const stored = storeCredentials({ username: 'tandem', realm: 'carrier', password });
      secrets.push(password, stored.ha1_md5, stored.ha1_sha256);
    }
    for (const key of [keyA.body.key, keyB.body.key]) secrets.push(key, hashApiKey(key));

    // A customer key writes its own route: created, changed, deleted.
    const route = await ok(
      'POST',
      '/v1/routes',
      { customer_id: ids['a'], provider_id: ids['provider'], target: '+82' },
      ids['keyA'],
    );
    ids['route'] = route.body.id;
    await ok('PATCH', `/v1/routes/${ids['route']}`, { target: '+8210' }, ids['keyA'], 200);
    await ok('DELETE', `/v1/routes/${ids['route']}`, undefined, ids['keyA'], 200);
    ids['routeB'] = (
      await ok(
        'POST',
        '/v1/routes',
        { customer_id: ids['b'], provider_id: ids['provider'], target: 'all' },
        ids['keyB'],
      )
    ).body.id;

    const imported = await send(
      'POST',
      `/v1/rates?provider_id=${ids['provider']}`,
      undefined,
      ADMIN_KEY,
      '+82,0.02\n+8210,0.01\n',
    );
    expect(imported.status, imported.text).toBe(200);
    await ok('POST', `/v1/customers/${ids['a']}/balance`, { amount: '25', note: 'bank transfer' });
    // A key made and revoked.
    const temp = await ok('POST', '/v1/api-keys', { customer_id: ids['a'], name: 'temporary' });
    secrets.push(temp.body.key, hashApiKey(temp.body.key));
    ids['tempKeyId'] = temp.body.id;
    await ok('DELETE', `/v1/api-keys/${temp.body.id}`, undefined, ADMIN_KEY, 200);
  });

  it('records every write with who, what, before/after, when and from where; newest first', async () => {
    const events = await all('');
    const summary = events.map((e: Json) => `${e.action} ${e.resource}`);
    expect(summary).toEqual([
      'revoke api_key',
      'create api_key',
      'adjust balance',
      'import rate_deck',
      'create route',
      'delete route',
      'update route',
      'create route',
      'create api_key',
      'create api_key',
      'update provider',
      'create provider',
      'create customer',
      'create customer',
    ]);
    const times = events.map((e: Json) => e.time);
    expect([...times].sort().reverse()).toEqual(times);

    const created = events.find((e: Json) => e.action === 'create' && e.resource_id === ids['route']);
    expect(created).toMatchObject({
      actor: { kind: 'api_key', key_id: ids['keyAId'], customer_id: ids['a'] },
      resource: 'route',
      customer_id: ids['a'],
      before: null,
      after: { id: ids['route'], customer_id: ids['a'], provider_id: ids['provider'], target: '+82' },
      source: { ip: SOURCE.ip, forwarded_for: SOURCE.forwarded, user_agent: SOURCE.agent },
      request_id: expect.stringMatching(/^req-\d+$/),
    });
    const updated = events.find((e: Json) => e.action === 'update' && e.resource_id === ids['route']);
    expect(updated.before.target).toBe('+82');
    expect(updated.after.target).toBe('+8210');
    expect(updated.changed_fields).toEqual(['target']);
    const deleted = events.find((e: Json) => e.action === 'delete' && e.resource_id === ids['route']);
    expect(deleted).toMatchObject({ before: { target: '+8210' }, after: null });

    const provider = events.find((e: Json) => e.action === 'create' && e.resource === 'provider');
    expect(provider).toMatchObject({
      actor: { kind: 'operator', key_id: null, customer_id: null },
      customer_id: null,
      after: { credentials: { username: 'tandem', realm: 'carrier' } },
      request_id: ids['providerRequest'],
    });
    const passwordChange = events.find((e: Json) => e.action === 'update' && e.resource === 'provider');
    // Only the password changed: no view shows it, changed_fields does.
    expect(passwordChange.changed_fields).toEqual(['credentials']);

    const key = events.find((e: Json) => e.resource === 'api_key' && e.resource_id === ids['keyAId']);
    expect(key.after).toMatchObject({
      customer_id: ids['a'],
      name: 'acme ops',
      key_prefix: ids['keyA']!.slice(0, 8),
    });
    expect(key.customer_id).toBe(ids['a']);
    expect(events.find((e: Json) => e.action === 'revoke')).toMatchObject({
      resource: 'api_key',
      resource_id: ids['tempKeyId'],
      customer_id: ids['a'],
      before: { name: 'temporary', key_prefix: expect.any(String) },
      after: null,
    });

    expect(events.find((e: Json) => e.resource === 'rate_deck')).toMatchObject({
      action: 'import',
      resource_id: ids['provider'],
      customer_id: null,
      before: { provider_id: ids['provider'], deck_version: null },
      after: { provider_id: ids['provider'], imported: 2, deck_version: expect.any(String) },
    });
    expect(events.find((e: Json) => e.resource === 'balance')).toMatchObject({
      action: 'adjust',
      resource_id: ids['a'],
      customer_id: ids['a'],
      before: { balance: '0' },
      after: { balance: '25', amount: '25', note: 'bank transfer' },
    });
  });

  it('never shows a secret: passwords, HA1, api keys and their hashes are absent from every answer', async () => {
    const texts = [
      (await send('GET', '/v1/audit-events?page_size=100')).text,
      (await send('GET', '/v1/audit-events?page_size=100', undefined, ids['keyA'])).text,
    ];
    for (const text of texts) {
      expect(text.length).toBeGreaterThan(100);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/"(password|ha1_md5|ha1_sha256|key_hash|key)"/);
    }
  });

  it('filters by resource, resource_id, action, actor key, customer and time; pages without overlap', async () => {
    const routes = await all('resource=route');
    expect(routes.map((e: Json) => e.action)).toEqual(['create', 'delete', 'update', 'create']);
    const history = await all(`resource_id=${ids['route']}`);
    expect(history.map((e: Json) => e.action)).toEqual(['delete', 'update', 'create']);
    expect((await all('action=delete')).map((e: Json) => e.resource_id)).toEqual([ids['route']]);
    const byKey = await all(`actor_key_id=${ids['keyAId']}`);
    expect(byKey).toHaveLength(3);
    expect(byKey.every((e: Json) => e.actor.key_id === ids['keyAId'])).toBe(true);
    const ofB = await all(`customer_id=${ids['b']}`);
    expect(ofB.map((e: Json) => `${e.action} ${e.resource}`)).toEqual([
      'create route',
      'create api_key',
      'create customer',
    ]);
    expect(await all(`customer_id=${ids['b']}&resource=api_key&action=create`)).toHaveLength(1);

    const everything = await all('');
    const [from, to] = [everything[10].time, everything[3].time];
    const window = await all(`from=${from}&to=${to}`);
    expect(window.map((e: Json) => e.id)).toEqual(
      everything.filter((e: Json) => e.time >= from && e.time < to).map((e: Json) => e.id),
    );
    expect(await all('from=2099-01-01')).toEqual([]);

    // Pages of 2 give the same events in the same order, each once; so do filtered pages.
    expect((await all('', ADMIN_KEY, 2)).map((e: Json) => e.id)).toEqual(everything.map((e: Json) => e.id));
    expect((await all('resource=route', ADMIN_KEY, 1)).map((e: Json) => e.id)).toEqual(
      routes.map((e: Json) => e.id),
    );
  });

  it("a customer key reads its own customer's events only; another customer_id is a 403", async () => {
    const own = await all('', ids['keyA']);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((e: Json) => e.customer_id === ids['a'])).toBe(true);
    expect(own.map((e: Json) => `${e.action} ${e.resource}`)).toEqual([
      'revoke api_key',
      'create api_key',
      'adjust balance',
      'delete route',
      'update route',
      'create route',
      'create api_key',
      'create customer',
    ]);
    const text = (await send('GET', '/v1/audit-events?page_size=100', undefined, ids['keyA'])).text;
    for (const other of [ids['b'], ids['routeB'], ids['keyBId']]) expect(text).not.toContain(other);

    expect((await all(`customer_id=${ids['a']}`, ids['keyA'])).length).toBe(own.length);
    const denied = await send('GET', `/v1/audit-events?customer_id=${ids['b']}`, undefined, ids['keyA']);
    expect(denied.status).toBe(403);
    expect(denied.body.errors).toEqual([{ field: 'customer_id', message: expect.any(String) }]);
    // Another tenant's object, or the operator's: nothing.
    expect(await all(`resource_id=${ids['routeB']}`, ids['keyA'])).toEqual([]);
    expect(await all(`resource_id=${ids['provider']}`, ids['keyA'])).toEqual([]);
    expect((await all(`resource_id=${ids['routeB']}`, ids['keyB'])).map((e: Json) => e.action)).toEqual([
      'create',
    ]);
  });

  it('a refused or failed write records nothing', async () => {
    const before = await stored();
    const bad = await send('POST', '/v1/routes', {
      customer_id: ids['a'],
      provider_id: ids['provider'],
      target: 'x',
    });
    expect(bad.status).toBe(400);
    const badPatch = await send('PATCH', `/v1/routes/${ids['routeB']}`, { priority: -1 });
    expect(badPatch.status).toBe(400);
    // Another customer's object: 404 for the key; a referenced provider: 409 (the transaction fails).
    expect((await send('DELETE', `/v1/routes/${ids['routeB']}`, undefined, ids['keyA'])).status).toBe(404);
    expect((await send('DELETE', `/v1/providers/${ids['provider']}`)).status).toBe(409);
    const badDeck = await send(
      'POST',
      `/v1/rates?provider_id=${ids['provider']}`,
      undefined,
      ADMIN_KEY,
      '+82,abc\n',
    );
    expect(badDeck.status).toBe(400);
    const badMove = await send('POST', `/v1/customers/${ids['a']}/balance`, { amount: '0', note: 'x' });
    expect(badMove.status).toBe(400);
    expect(await stored()).toBe(before);
    // And the route B still stands as it was.
    expect((await send('GET', `/v1/routes/${ids['routeB']}`)).body.priority).toBe(1);
  });

  it('refuses unknown parameters, bad filters and an empty range with 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['resource_type=route', 'resource_type'],
      ['resource=bogus', 'resource'],
      ['action=erase', 'action'],
      ['from=yesterday', 'from'],
      ['from=2026-12-02&to=2026-12-01', 'to'],
      ['page_token=bm90LWEta2V5', 'page_token'],
    ];
    for (const [query, field] of cases) {
      const res = await send('GET', `/v1/audit-events?${query}`);
      expect(res.status, query).toBe(400);
      expect(
        res.body.errors.map((e: Json) => e.field),
        query,
      ).toContain(field);
    }
    // A token of one list does not resume another.
    const page = await send('GET', '/v1/audit-events?page_size=1');
    const other = await send(
      'GET',
      `/v1/audit-events?resource_id=${ids['route']}&page_token=${page.body.next_page_token}`,
    );
    expect(other.status).toBe(400);
    expect((await send('GET', '/v1/audit-events', undefined, 'tdm_unknown')).status).toBe(401);
  });

  it('keeps each event TANDEM_AUDIT_RETENTION_DAYS (the TTL attribute expires_at)', async () => {
    const out = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': 'AUDIT' },
      }),
    );
    expect(out.Items?.length).toBeGreaterThan(0);
    for (const item of out.Items ?? []) {
      const time = Date.parse(item['doc'].time) / 1000;
      expect(item['expires_at']).toBe(Math.floor(time) + RETENTION_DAYS * 86_400);
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await app.request('/v1/openapi.json')).json()) as Json;
    expect(doc.paths['/v1/audit-events'].get.parameters.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining([
        'resource',
        'resource_id',
        'action',
        'actor_key_id',
        'customer_id',
        'from',
        'to',
      ]),
    );
    expect(doc.components.schemas.AuditEvent).toBeDefined();
  });

  it('under a Node server, the source is the socket peer', async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/v1/customers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'over http' }),
      });
      expect(res.status).toBe(201);
      const id = ((await res.json()) as Json).id;
      const [event] = await all(`resource_id=${id}`);
      expect(event.source.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      expect(event.request_id).toBeNull();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
