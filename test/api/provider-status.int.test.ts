import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSiteState } from '../../contract/health';
import { createApp } from '../../functions/api';
import { createRouting } from '../../functions/decision';
import { keys, type Store } from '../../functions/store';
import {
  PROVIDER_STATUS_TTL_S,
  providerSiteStatuses,
  reportedDownProviders,
} from '../../functions/store/provider-status';
import type { Json } from './api-fixture';
import { freshStore } from './store-fixture';

const ADMIN = 'test-admin-key-0123456789';
const RELAY = 'relay-token-for-status-tests-0123';
const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

let store: Store;
let clock = T0;
let configWrites = 0;
let app: ReturnType<typeof createApp>;
let customerKey: string;
const ids: Record<string, string> = {};

async function call(method: string, path: string, body?: unknown, key: string | null = ADMIN) {
  const headers: Record<string, string> = {};
  if (key !== null) headers['authorization'] = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await app.request(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
}

const state = (providerId: string, over: Partial<ProviderSiteState> = {}): ProviderSiteState => ({
  provider_id: providerId,
  state: 'up',
  since: at(-3_600_000),
  down_by: null,
  last_probe: { at: at(-5_000), code: 200, alive: true },
  attempts: { window_s: 60, total: 12, succeeded: 11 },
  ...over,
});

const report = (
  site: string,
  reportedAt: string,
  providers: ProviderSiteState[],
  relayId = `${site}-relay-1`,
) => ({
  site,
  relay_id: relayId,
  reported_at: reportedAt,
  providers,
});

const post = (body: unknown, key: string | null = RELAY) => call('POST', '/v1/providers/status', body, key);
const statusOf = (providerId: string, key: string = ADMIN) =>
  call('GET', `/v1/providers/${providerId}/status`, undefined, key);

async function createProvider(name: string): Promise<string> {
  const res = await call('POST', '/v1/providers', { name, hostname: `${name}.carrier.example` });
  if (res.status !== 201) throw new Error(`provider: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

beforeAll(async () => {
  store = await freshStore();
  const routing = createRouting(store, { relayToken: RELAY });
  app = createApp({
    store,
    adminKey: ADMIN,
    now: () => new Date(clock),
    routing: {
      ...routing,
      // Simulate reads the reported status as of this clock.
      deps: { ...routing.deps, now: () => clock },
      onConfigWrite: (customerId?: string) => {
        configWrites++;
        return routing.onConfigWrite(customerId);
      },
    },
  });
  ids.a = await createProvider('alpha');
  ids.b = await createProvider('bravo');
  ids.c = await createProvider('charlie');
  ids.customer = (await call('POST', '/v1/customers', { name: 'Acme' })).body.id;
  const key = await call('POST', '/v1/api-keys', { customer_id: ids.customer, name: 'acme' });
  customerKey = key.body.key;
});

describe('POST /v1/providers/status and GET /v1/providers/{id}/status', () => {
  it('stores each site’s state and reads it back per site, ordered by site name', async () => {
    clock = T0;
    const down = state(ids.a!, {
      state: 'down',
      since: at(-30_000),
      down_by: 'probe',
      last_probe: { at: at(-2_000), code: null, alive: false },
      attempts: { window_s: 60, total: 4, succeeded: 0 },
    });
    const first = await post(report('seoul', at(-1_000), [down, state(ids.b!)]));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ stored: 2, outdated: 0, unknown_provider_ids: [] });
    expect((await post(report('busan', at(-500), [state(ids.a!)]))).status).toBe(200);

    const res = await statusOf(ids.a!);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      provider_id: ids.a,
      sites: [
        {
          site: 'busan',
          relay_id: 'busan-relay-1',
          reported_at: at(-500),
          stale: false,
          ...(({ provider_id: _p, ...rest }) => rest)(state(ids.a!)),
        },
        {
          site: 'seoul',
          relay_id: 'seoul-relay-1',
          reported_at: at(-1_000),
          stale: false,
          ...(({ provider_id: _p, ...rest }) => rest)(down),
        },
      ],
    });
    expect((await statusOf(ids.b!)).body.sites.map((s: Json) => s.site)).toEqual(['seoul']);
    expect((await statusOf(ids.c!)).body).toEqual({ provider_id: ids.c, sites: [] });
  });

  it('marks a site stale once its last report is more than 60 s old', async () => {
    clock = T0 + 59_000; // busan reported at T0-0.5 s, seoul at T0-1 s: 60 s is not yet stale
    expect((await statusOf(ids.a!)).body.sites.map((s: Json) => s.stale)).toEqual([false, false]);
    clock = T0 + 59_200;
    expect((await statusOf(ids.a!)).body.sites.map((s: Json) => [s.site, s.stale])).toEqual([
      ['busan', false],
      ['seoul', true],
    ]);
    // Seoul reports again: fresh.
    expect((await post(report('seoul', at(59_000), [state(ids.a!)]))).status).toBe(200);
    expect((await statusOf(ids.a!)).body.sites.map((s: Json) => [s.site, s.stale, s.state])).toEqual([
      ['busan', false, 'up'],
      ['seoul', false, 'up'],
    ]);
  });

  it('keeps the later state when an older report arrives after it; the same report again is idempotent', async () => {
    clock = T0 + 120_000;
    const later = report('daegu', at(119_000), [state(ids.c!, { state: 'down', down_by: 'attempts' })]);
    expect((await post(later)).body).toMatchObject({ stored: 1, outdated: 0 });
    const earlier = await post(report('daegu', at(110_000), [state(ids.c!)], 'daegu-relay-2'));
    expect(earlier.status).toBe(200);
    expect(earlier.body).toEqual({ stored: 0, outdated: 1, unknown_provider_ids: [] });
    const sites = (await statusOf(ids.c!)).body.sites;
    expect(sites).toHaveLength(1);
    expect(sites[0]).toMatchObject({
      site: 'daegu',
      relay_id: 'daegu-relay-1',
      state: 'down',
      reported_at: at(119_000),
    });
    expect((await post(later)).body).toMatchObject({ stored: 1, outdated: 0 });
    // A later report, in another precision of the same clock, replaces it.
    const newer = `${at(119_500).slice(0, 19)}.5Z`; // …:59.5Z is 119.5 s
    expect((await post(report('daegu', newer, [state(ids.c!)]))).body).toMatchObject({ stored: 1 });
    expect((await statusOf(ids.c!)).body.sites[0]).toMatchObject({ state: 'up', reported_at: at(119_500) });
    // And a sub-second-less time that is earlier is still seen as earlier.
    const older = `${at(119_000).slice(0, 19)}Z`;
    expect((await post(report('daegu', older, [state(ids.c!, { state: 'down' })]))).body).toMatchObject({
      stored: 0,
      outdated: 1,
    });
  });

  it('ignores providers that do not exist; a provider listed twice keeps its last state', async () => {
    clock = T0 + 200_000;
    const ghost = randomUUID();
    const res = await post(
      report('gwangju', at(199_000), [
        state(ghost),
        state(ids.b!, { state: 'down' }),
        state(ids.b!, { state: 'up' }),
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stored: 1, outdated: 0, unknown_provider_ids: [ghost] });
    expect(await providerSiteStatuses(store, ghost, new Date(clock))).toEqual([]);
    const gwangju = (await statusOf(ids.b!)).body.sites.find((s: Json) => s.site === 'gwangju');
    expect(gwangju.state).toBe('up');
  });

  it('keeps a report for a few days (TTL) and is no configuration write', async () => {
    clock = T0 + 300_000;
    const before = configWrites;
    expect((await post(report('ulsan', at(299_000), [state(ids.a!)]))).status).toBe(200);
    expect(configWrites).toBe(before);
    const item = await store.doc.send(
      new GetCommand({ TableName: store.tableName, Key: keys.providerStatus(ids.a!, 'ulsan') }),
    );
    expect(item.Item?.['expires_at']).toBe(Math.floor(clock / 1000) + PROVIDER_STATUS_TTL_S);
    expect(PROVIDER_STATUS_TTL_S).toBeGreaterThanOrEqual(86_400);
    // A configuration write still is one (the hook works; the report is what it skips).
    expect((await call('PATCH', `/v1/providers/${ids.a}`, { detail: 'x' })).status).toBe(200);
    expect(configWrites).toBe(before + 1);
  });

  it('answers 404 for an unknown provider, as its GET does, and 400 for a malformed id', async () => {
    const ghost = randomUUID();
    expect((await call('GET', `/v1/providers/${ghost}`)).status).toBe(404);
    const res = await statusOf(ghost);
    expect(res.status).toBe(404);
    expect(res.body.detail).toContain(ghost);
    expect((await statusOf(ghost, customerKey)).status).toBe(404);
    expect((await call('GET', '/v1/providers/not-an-id/status')).status).toBe(400);
  });

  it('lets a customer key read the status of a provider it may read, but not report', async () => {
    expect((await call('GET', `/v1/providers/${ids.a}`, undefined, customerKey)).status).toBe(200);
    const asCustomer = await statusOf(ids.a!, customerKey);
    expect(asCustomer.status).toBe(200);
    expect(asCustomer.body).toEqual((await statusOf(ids.a!)).body);
    expect((await post(report('seoul', at(400_000), [state(ids.a!)]), customerKey)).status).toBe(401);
    expect((await statusOf(ids.a!, 'tdm_not-a-key')).status).toBe(401);
  });

  it('takes the relay token only: 401 without it or with an api key, 503 when none is configured', async () => {
    const body = report('seoul', at(400_000), [state(ids.a!)]);
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, ADMIN)).status).toBe(401);
    expect((await post(body, 'wrong-token')).status).toBe(401);
    const noRelay = createApp({ store, adminKey: ADMIN });
    const res = await noRelay.request('/v1/providers/status', {
      method: 'POST',
      headers: { authorization: `Bearer ${RELAY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(503);
    expect((await call('GET', '/v1/providers/status', undefined, RELAY)).status).toBe(405);
  });

  it.each([
    ['a state that is not up or down', { providers: [{ state: 'sideways' }] }, 'providers.0.state'],
    ['no site', { site: undefined }, 'site'],
    ['an empty site', { site: '' }, 'site'],
    ['a reported_at that is no time', { reported_at: 'yesterday' }, 'reported_at'],
    ['a reported_at far in the future', { reported_at: at(3_600_000) }, 'reported_at'],
    [
      'a probe code out of range',
      { providers: [{ last_probe: { at: at(0), code: 99, alive: false } }] },
      'providers.0.last_probe.code',
    ],
    ['a provider id that is no id', { providers: [{ provider_id: 'carrier-a' }] }, 'providers.0.provider_id'],
    ['a field the report does not have', { colour: 'red' }, 'colour'],
  ])('refuses %s with a 400 naming the field', async (_what, change, field) => {
    clock = T0 + 500_000;
    const { providers, ...top } = change as { providers?: Partial<ProviderSiteState>[] };
    const body = {
      ...report('seoul', at(499_000), [state(ids.a!, providers?.[0] as never)]),
      ...top,
    };
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: Json) => e.field)).toContain(field);
  });

  it('refuses a body that is not JSON, and one of the wrong content type', async () => {
    const res = await app.request('/v1/providers/status', {
      method: 'POST',
      headers: { authorization: `Bearer ${RELAY}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(res.status).toBe(415);
    const broken = await app.request('/v1/providers/status', {
      method: 'POST',
      headers: { authorization: `Bearer ${RELAY}`, 'content-type': 'application/json' },
      body: '{"site":',
    });
    expect(broken.status).toBe(400);
  });
});

describe('reportedDownProviders', () => {
  it('lists the providers some non-stale site holds down', async () => {
    const s = await freshStore();
    const routing = createRouting(s, { relayToken: RELAY });
    let now = T0;
    const local = createApp({ store: s, adminKey: ADMIN, now: () => new Date(now), routing });
    const send = (method: string, path: string, body: unknown, key: string) =>
      local.request(path, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const make = async (name: string) =>
      (
        (await (
          await send('POST', '/v1/providers', { name, hostname: `${name}.example` }, ADMIN)
        ).json()) as Json
      ).id as string;
    const [x, y, z] = [await make('x'), await make('y'), await make('z')];
    const down = (id: string) => state(id, { state: 'down', down_by: 'probe' });

    expect(await reportedDownProviders(s, new Date(now))).toEqual([]);
    // Site one: x down, y up. Site two (a minute earlier): z down, y down.
    expect(
      (await send('POST', '/v1/providers/status', report('one', at(0), [down(x), state(y)]), RELAY)).status,
    ).toBe(200);
    expect(
      (await send('POST', '/v1/providers/status', report('two', at(-50_000), [down(z), down(y)]), RELAY))
        .status,
    ).toBe(200);
    expect(await reportedDownProviders(s, new Date(now))).toEqual([x, y, z].sort());
    // Site two goes quiet: its states are stale after 60 s.
    now = T0 + 30_000;
    expect(await reportedDownProviders(s, new Date(now))).toEqual([x]);
    // Site one sees x up again.
    expect(
      (await send('POST', '/v1/providers/status', report('one', at(30_000), [state(x), state(y)]), RELAY))
        .status,
    ).toBe(200);
    expect(await reportedDownProviders(s, new Date(now))).toEqual([]);
  });
});

describe('simulate with reported status', () => {
  it('orders last a provider a site reports down, and says provider_down', async () => {
    clock = T0;
    const customer = (await call('POST', '/v1/customers', { name: 'Simulated' })).body.id;
    for (const [provider, priority] of [
      [ids.a, 1],
      [ids.b, 2],
    ] as const) {
      const route = await call('POST', '/v1/routes', {
        customer_id: customer,
        provider_id: provider,
        target: '+82',
        priority,
      });
      expect(route.status).toBe(201);
    }
    const simulate = () =>
      call('POST', '/v1/routing/simulate', {
        customer_id: customer,
        caller: '+14155550100',
        callee: '+821012345678',
        at: at(0),
      });
    const before = await simulate();
    expect(before.body.targets.map((t: Json) => t.provider_id)).toEqual([ids.a, ids.b]);
    const down = state(ids.a!, { state: 'down', since: at(-10_000), down_by: 'attempts' });
    expect((await post(report('simulated', at(-100), [down]))).body).toMatchObject({ stored: 1 });
    const after = await simulate();
    expect(after.status).toBe(200);
    expect(after.body.targets.map((t: Json) => t.provider_id)).toEqual([ids.b, ids.a]);
    expect(after.body.targets[1].reason).toContain('provider_down');
  });
});
