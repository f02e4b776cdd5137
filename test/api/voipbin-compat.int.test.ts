import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../functions/api';
import { DEFAULT_CUSTOMER_ID } from '../../functions/domain';
import type { Store } from '../../functions/store';
import { ADMIN_KEY, type Json, type Reply } from './api-fixture';
import { freshStore } from './store-fixture';

/**
 * Replays the examples of VoIPBIN's route and provider documentation (test/fixtures/voipbin,
 * with its source) against Tandem's /v1.0 paths: each documented request with its documented
 * body, the key as `?token=` (mode on) and as a Bearer header (mode off, the default), and each
 * answer checked for VoIPBIN's shape and the request's values.
 */
const fixture = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../fixtures/voipbin/routes-examples.json'), 'utf8'),
);
type Example = { name: string; request: { method: string; path: string; body?: Json }; response?: Json };
const example = (kind: 'routes' | 'providers', name: string): Example => {
  const found = (fixture[kind].examples as Example[]).find((e) => e.name === name);
  if (!found) throw new Error(`no documented example "${name}"`);
  return found;
};
const DOCUMENTED_PROVIDER: string = fixture.documented_ids.provider;
const NOT_YET = /^9999-01-01/;
const RELAY = 'relay-token-0123456789abcdef';

type App = ReturnType<typeof createApp>;
type Mode = 'query' | 'bearer';

/** Sends a documented request: `<YOUR_AUTH_TOKEN>` becomes the key (query mode) or moves to the header. */
async function send(
  app: App,
  mode: Mode,
  key: string,
  request: { method: string; path: string; body?: unknown },
  ids: Record<string, string> = {},
): Promise<Reply> {
  let path = request.path;
  let text = request.body === undefined ? undefined : JSON.stringify(request.body);
  for (const [documented, ours] of Object.entries(ids)) {
    path = path.replaceAll(documented, ours);
    text = text?.replaceAll(documented, ours);
  }
  const headers: Record<string, string> = {};
  if (mode === 'query') path = path.replace('<YOUR_AUTH_TOKEN>', encodeURIComponent(key));
  else {
    path = path.replace(/[?&]token=<YOUR_AUTH_TOKEN>/, '').replace(/^([^?]*)&/, '$1?');
    headers['authorization'] = `Bearer ${key}`;
  }
  if (text !== undefined) headers['content-type'] = 'application/json';
  const res = await app.request(path, { method: request.method, headers, ...(text ? { body: text } : {}) });
  const body = await res.text();
  let parsed: unknown = body;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {}
  return { status: res.status, body: parsed, headers: res.headers };
}

/**
 * Every field of the documented object is there with the documented JSON type, and the object has
 * exactly the fields of VoIPBIN's struct (its documentation's full field list; the tutorial's
 * provider examples predate `codecs`, `metadata` and the health fields).
 */
function expectShape(actual: Json, documented: Json, what: string) {
  const struct = fixture[what.includes('provider') ? 'providers' : 'routes'].struct;
  expect(Object.keys(actual).sort(), what).toEqual(Object.keys(struct).sort());
  for (const [field, value] of Object.entries(documented)) {
    const type = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
    // health_checked_at is "ISO 8601 or null" in VoIPBIN's field list; null until a site reports.
    if (field === 'health_checked_at' && actual[field] === null) continue;
    expect(type(actual[field]), `${what}.${field}`).toBe(type(value));
    if (field.startsWith('tm_'))
      expect(Number.isNaN(Date.parse(actual[field])), `${what}.${field}`).toBe(false);
  }
}

const echoed = (body: Json, fields: string[]) => Object.fromEntries(fields.map((f) => [f, body[f]]));
const ROUTE_FIELDS = ['name', 'detail', 'provider_id', 'priority', 'target'];
const PROVIDER_FIELDS = ['type', 'hostname', 'tech_prefix', 'tech_postfix', 'tech_headers', 'name', 'detail'];

let store: Store;
/** TANDEM_API_TOKEN_IN_QUERY=true */
let on: App;
/** The default: no `?token=`. */
let off: App;

beforeAll(async () => {
  store = await freshStore();
  on = createApp({ store, adminKey: ADMIN_KEY, apiTokenInQuery: true, decision: { relayToken: RELAY } });
  off = createApp({ store, adminKey: ADMIN_KEY });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A Tandem call to the native API (Bearer). */
const native = async (method: string, path: string, body?: unknown, key = ADMIN_KEY) => {
  const res = await on.request(path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
};

const customerWithKey = async (name: string) => {
  const customer = await native('POST', '/v1/customers', { name });
  const key = await native('POST', '/v1/api-keys', { customer_id: customer.body.id, name: 'voipbin client' });
  return { id: customer.body.id as string, key: key.body.key as string };
};

describe.each([
  { mode: 'query' as const, app: () => on },
  { mode: 'bearer' as const, app: () => off },
])('VoIPBIN’s documented examples, key by $mode', ({ mode, app }) => {
  let providerId: string;

  it('providers: create, list, get, update (codecs refused until media is anchored), delete', async () => {
    const logged = (['info', 'warn', 'error', 'log'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => {}),
    );

    const create = example('providers', 'Create a new provider');
    const created = await send(app(), mode, ADMIN_KEY, create.request);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expectShape(created.body, fixture.providers.struct, 'created provider');
    expect(echoed(created.body, PROVIDER_FIELDS)).toEqual(create.request.body);
    expect(created.body).toMatchObject({ codecs: '', metadata: {}, health_status: 'unknown' });
    expect(created.body.tm_update).toMatch(NOT_YET);
    expect(created.body.tm_delete).toMatch(NOT_YET);
    providerId = created.body.id;
    expect(providerId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ids = { [DOCUMENTED_PROVIDER]: providerId };

    const restricted = await send(
      app(),
      mode,
      ADMIN_KEY,
      example('providers', 'Create a new provider with a codec restriction').request,
    );
    expect(restricted.status).toBe(400);
    expect(restricted.headers.get('content-type')).toBe('application/problem+json');
    expect(restricted.body.errors.map((e: Json) => e.field)).toEqual(['codecs']);

    const list = example('providers', 'Get list of providers');
    const listed = await send(app(), mode, ADMIN_KEY, list.request);
    expect(listed.status).toBe(200);
    expect(Object.keys(listed.body).sort()).toEqual(Object.keys(list.response).sort());
    expect(typeof listed.body.next_page_token).toBe('string');
    const mine = listed.body.result.find((p: Json) => p.id === providerId);
    expectShape(mine, list.response.result[0], 'listed provider');
    expect(mine).toEqual(created.body);

    const get = example('providers', 'Get detail of provider');
    const got = await send(app(), mode, ADMIN_KEY, get.request, ids);
    expect(got.status).toBe(200);
    expectShape(got.body, get.response, 'provider');
    expect(got.body).toEqual(created.body);

    // A Tandem-only field set through /v1 survives VoIPBIN's PUT.
    expect((await native('PATCH', `/v1/providers/${providerId}`, { port: 5080 })).status).toBe(200);
    const update = example('providers', 'Update provider');
    const updated = await send(app(), mode, ADMIN_KEY, update.request, ids);
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expectShape(updated.body, fixture.providers.struct, 'updated provider');
    expect(echoed(updated.body, PROVIDER_FIELDS)).toEqual(update.request.body);
    expect(updated.body.tm_create).toBe(created.body.tm_create);
    expect(updated.body.tm_update).not.toMatch(NOT_YET);
    expect((await native('GET', `/v1/providers/${providerId}`)).body.port).toBe(5080);

    const restrict = example('providers', 'Set codec restriction on an existing provider');
    const notAnchored = await send(app(), mode, ADMIN_KEY, restrict.request, ids);
    expect(notAnchored.status).toBe(400);
    expect(notAnchored.body.errors.map((e: Json) => e.field)).toEqual(['codecs']);
    expect((await native('PATCH', `/v1/providers/${providerId}`, { media_anchor: true })).status).toBe(200);
    const anchored = await send(app(), mode, ADMIN_KEY, restrict.request, ids);
    expect(anchored.status, JSON.stringify(anchored.body)).toBe(200);
    expect(anchored.body.codecs).toBe('PCMU,PCMA');
    expect((await native('GET', `/v1/providers/${providerId}`)).body.codecs.allow).toEqual(['PCMU', 'PCMA']);
    const cleared = await send(
      app(),
      mode,
      ADMIN_KEY,
      example('providers', 'Remove a codec restriction').request,
      ids,
    );
    expect(cleared.status).toBe(200);
    expect(cleared.body.codecs).toBe('');
    expect((await native('GET', `/v1/providers/${providerId}`)).body.codecs.allow).toEqual([]);

    const spare = await send(app(), mode, ADMIN_KEY, create.request);
    const remove = example('providers', 'Delete provider');
    const documentedId = remove.request.path.split('/')[3]!.split('?')[0]!;
    const deleted = await send(app(), mode, ADMIN_KEY, remove.request, { [documentedId]: spare.body.id });
    expect(deleted.status).toBe(200);
    expectShape(deleted.body, fixture.providers.struct, 'deleted provider');
    expect(deleted.body.tm_delete).not.toMatch(NOT_YET);
    expect(
      (await send(app(), mode, ADMIN_KEY, remove.request, { [documentedId]: spare.body.id })).status,
    ).toBe(404);

    // Nothing the API wrote to the console carries the key.
    for (const spy of logged) {
      for (const args of spy.mock.calls) expect(JSON.stringify(args)).not.toContain(ADMIN_KEY);
    }
  });

  it('routes: create, list, get, update, delete, as documented', async () => {
    const ids = { [DOCUMENTED_PROVIDER]: providerId };
    const create = example('routes', 'Create a new route');
    const created = await send(app(), mode, ADMIN_KEY, create.request, ids);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expectShape(created.body, create.response, 'created route');
    expect(echoed(created.body, ['customer_id', ...ROUTE_FIELDS])).toEqual({
      ...create.request.body,
      provider_id: providerId,
    });
    expect(created.body.tm_update).toMatch(NOT_YET);
    expect(created.body.tm_delete).toMatch(NOT_YET);
    const routeId: string = created.body.id;
    // The documented ids of the examples that name the route.
    const routeIds = {
      ...ids,
      'b972b61c-59d2-4217-8fbb-a32304be5c3b': routeId,
      'dccfd81b-5f11-4c49-8e3f-70730ef1a4d3': routeId,
    };

    const list = example('routes', 'Get list of routes');
    const listed = await send(app(), mode, ADMIN_KEY, list.request);
    expect(listed.status).toBe(200);
    expect(Object.keys(listed.body).sort()).toEqual(Object.keys(list.response).sort());
    const mine = listed.body.result.find((r: Json) => r.id === routeId);
    expectShape(mine, list.response.result[0], 'listed route');
    expect(mine).toEqual(created.body);
    expect(listed.body.result.every((r: Json) => r.customer_id === DEFAULT_CUSTOMER_ID)).toBe(true);

    const get = example('routes', 'Get detail of route');
    const got = await send(app(), mode, ADMIN_KEY, get.request, routeIds);
    expect(got.status).toBe(200);
    expectShape(got.body, get.response, 'route');
    expect(got.body).toEqual(created.body);

    const update = example('routes', 'Update route');
    const updated = await send(app(), mode, ADMIN_KEY, update.request, routeIds);
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expectShape(updated.body, update.response, 'updated route');
    expect(echoed(updated.body, ROUTE_FIELDS)).toEqual({ ...update.request.body, provider_id: providerId });
    expect(updated.body.priority).toBe(2);
    expect(updated.body.customer_id).toBe(DEFAULT_CUSTOMER_ID);
    expect(updated.body.tm_create).toBe(created.body.tm_create);
    expect(updated.body.tm_update).not.toMatch(NOT_YET);
    expect((await native('GET', `/v1/routes/${routeId}`)).body).toMatchObject({ priority: 2, name: 'route' });

    const remove = example('routes', 'Delete route');
    const deleted = await send(app(), mode, ADMIN_KEY, remove.request, routeIds);
    expect(deleted.status).toBe(200);
    expectShape(deleted.body, remove.response, 'deleted route');
    expect(deleted.body.id).toBe(routeId);
    expect(deleted.body.tm_delete).not.toMatch(NOT_YET);
    expect((await send(app(), mode, ADMIN_KEY, get.request, routeIds)).status).toBe(404);
  });
});

describe('a customer key on /v1.0/routes', () => {
  let providerId: string;
  let acme: { id: string; key: string };
  let other: { id: string; key: string };
  const q = (path: string, key: string) =>
    `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(key)}`;
  const request = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await on.request(q(path, key), {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    providerId = (await native('POST', '/v1/providers', { name: 'carrier kr', hostname: 'sip.kr.example' }))
      .body.id;
    acme = await customerWithKey('Acme');
    other = await customerWithKey('Other');
  });

  it('creates a route for its own customer from {name, provider_id, priority, detail}, target all, and it routes', async () => {
    const body = { name: 'Korea', provider_id: providerId, priority: 1, detail: 'via kr' };
    const created = await request('POST', '/v1.0/routes', acme.key, body);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ ...body, customer_id: acme.id, target: 'all' });
    expectShape(created.body, fixture.routes.struct, 'route');

    const simulated = await native(
      'POST',
      '/v1/routing/simulate',
      { customer_id: acme.id, caller: '+12125550100', callee: '+821012345678' },
      acme.key,
    );
    expect(simulated.status, JSON.stringify(simulated.body)).toBe(200);
    expect(simulated.body.action).toBe('route');
    expect(simulated.body.targets.map((t: Json) => t.provider_id)).toEqual([providerId]);
  });

  it('never sees or changes another customer’s route (404), nor creates one for it (403)', async () => {
    const mine = await request('POST', '/v1.0/routes', acme.key, { provider_id: providerId, target: '+82' });
    expect(mine.status).toBe(200);
    const path = `/v1.0/routes/${mine.body.id}`;
    expect((await request('GET', path, other.key)).status).toBe(404);
    expect((await request('PUT', path, other.key, { provider_id: providerId, priority: 9 })).status).toBe(
      404,
    );
    expect((await request('DELETE', path, other.key)).status).toBe(404);
    const theirs = await request('GET', `/v1.0/routes?customer_id=${acme.id}`, other.key);
    expect(theirs.body).toEqual({ result: [], next_page_token: '' });
    const listed = await request('GET', '/v1.0/routes', other.key);
    expect(listed.body.result.map((r: Json) => r.id)).not.toContain(mine.body.id);
    const moved = await request('POST', '/v1.0/routes', acme.key, {
      customer_id: other.id,
      provider_id: providerId,
    });
    expect(moved.status).toBe(403);
    // Still there, unchanged.
    expect((await request('GET', path, acme.key)).body).toEqual(mine.body);
  });

  it('reads providers but never writes them (403)', async () => {
    const listed = await request('GET', '/v1.0/providers', acme.key);
    expect(listed.status).toBe(200);
    expect(listed.body.result.map((p: Json) => p.id)).toContain(providerId);
    const body = { hostname: 'sip.mine.example', name: 'mine' };
    expect((await request('POST', '/v1.0/providers', acme.key, body)).status).toBe(403);
    expect((await request('PUT', `/v1.0/providers/${providerId}`, acme.key, body)).status).toBe(403);
    expect((await request('DELETE', `/v1.0/providers/${providerId}`, acme.key)).status).toBe(403);
  });

  it('pages as VoIPBIN clients do: token after token until an empty page', async () => {
    const paged = await customerWithKey('Paged');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        (await request('POST', '/v1.0/routes', paged.key, { provider_id: providerId, priority: i })).body.id,
      );
    }
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    for (;;) {
      const page = await request(
        'GET',
        `/v1.0/routes?page_size=2&page_token=${encodeURIComponent(token)}`,
        paged.key,
      );
      expect(page.status).toBe(200);
      pages++;
      if (page.body.result.length === 0) {
        expect(page.body.next_page_token).toBe('');
        break;
      }
      expect(page.body.next_page_token).not.toBe('');
      seen.push(...page.body.result.map((r: Json) => r.id));
      token = page.body.next_page_token;
      expect(pages).toBeLessThan(10);
    }
    expect(seen.sort()).toEqual(made.sort());
    expect(pages).toBe(4);
    const tooLarge = await request('GET', '/v1.0/routes?page_size=101', paged.key);
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.errors.map((e: Json) => e.field)).toEqual(['page_size']);
  });

  it('refuses what Tandem cannot honour with a 400 naming the field', async () => {
    const cases: [Json, string][] = [
      [{ provider_id: providerId, target: '82' }, 'target'],
      [{ provider_id: providerId, priority: -1 }, 'priority'],
      [{ provider_id: providerId, name: '   ' }, 'name'],
      [{ provider_id: providerId, weight: 5 }, 'weight'],
      [{ provider_id: providerId, priority: '1' }, 'priority'],
      [{ name: 'no provider' }, 'provider_id'],
    ];
    for (const [body, field] of cases) {
      const res = await request('POST', '/v1.0/routes', acme.key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.errors.map((e: Json) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    const operator = await request('POST', '/v1.0/routes', ADMIN_KEY, { provider_id: providerId });
    expect(operator.status).toBe(400);
    expect(operator.body.errors.map((e: Json) => e.field)).toEqual(['customer_id']);
  });
});

describe('health_status', () => {
  it('is what relay sites report: unknown, then unhealthy with the time of the last probe', async () => {
    const id = (await native('POST', '/v1/providers', { name: 'probed', hostname: 'sip.probed.example' }))
      .body.id;
    const read = async () =>
      (await (await on.request(`/v1.0/providers/${id}?token=${ADMIN_KEY}`)).json()) as Json;
    expect(await read()).toMatchObject({ health_status: 'unknown', health_checked_at: null });
    const now = new Date().toISOString();
    const report = await on.request('/v1/providers/status', {
      method: 'POST',
      headers: { authorization: `Bearer ${RELAY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        site: 'seoul',
        relay_id: 'relay-1',
        reported_at: now,
        providers: [
          {
            provider_id: id,
            state: 'down',
            since: now,
            down_by: 'probe',
            last_probe: { at: now, code: null, alive: false },
            attempts: { window_s: 60, total: 0, succeeded: 0 },
          },
        ],
      }),
    });
    expect(report.status).toBe(200);
    expect(await read()).toMatchObject({
      health_status: 'unhealthy',
      health_checked_at: now.replace(/Z$/, '000Z'),
    });
  });
});

describe('?token= in the query', () => {
  it('is refused while TANDEM_API_TOKEN_IN_QUERY is off, saying so, even beside a valid header', async () => {
    const withHeader: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}` };
    for (const headers of [{}, withHeader]) {
      const res = await off.request(`/v1.0/routes?customer_id=${DEFAULT_CUSTOMER_ID}&token=${ADMIN_KEY}`, {
        headers,
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const body = (await res.json()) as Json;
      expect(body.detail).toMatch(/\?token=\) is off on this server \(TANDEM_API_TOKEN_IN_QUERY\)/);
    }
  });

  it('is taken on /v1.0 paths only, and an unknown key is refused', async () => {
    expect((await on.request(`/v1/routes?token=${ADMIN_KEY}`)).status).toBe(401);
    expect(
      (await on.request(`/v1.0/routes?token=${ADMIN_KEY}x&customer_id=${DEFAULT_CUSTOMER_ID}`)).status,
    ).toBe(401);
    expect((await on.request(`/v1.0/providers?token=${ADMIN_KEY}`)).status).toBe(200);
  });
});

describe('what is not built', () => {
  it('POST /v1.0/providers/setup (carrier setup) is no route of Tandem’s: 405', async () => {
    const res = await on.request(`/v1.0/providers/setup?token=${ADMIN_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ carrier: 'telnyx', name: 'x', credentials: { api_key: 'KEY' } }),
    });
    expect(res.status).toBe(405);
  });
});

describe('the OpenAPI document', () => {
  it('describes the /v1.0 paths and the query token scheme, and stays valid', async () => {
    const doc = (await (await on.request('/v1/openapi.json')).json()) as Json;
    expect(Object.keys(doc.paths['/v1.0/routes']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1.0/providers/{id}']).sort()).toEqual(['delete', 'get', 'put']);
    expect(doc.components.securitySchemes.voipbinQueryToken).toMatchObject({
      type: 'apiKey',
      in: 'query',
      name: 'token',
    });
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
  });
});
