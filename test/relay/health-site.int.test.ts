import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type HealthTarget, type ProviderStatusReport, providerStatusReport } from '../../contract/health';
import type { AttemptOutcome } from '../../edge-relay/events';
import { afterPassiveMark, initialState } from '../../edge-relay/health/health-rules';
import {
  type ProviderHealth,
  type ProviderHealthOptions,
  startProviderHealth,
} from '../../edge-relay/health/provider-health';
import { createRedisHealthStore } from '../../edge-relay/health/redis-health-store';
import { createLogger } from '../../edge-relay/log';
import { header, parseMessage, serialize } from '../../edge-relay/sip/message';
import { makeResponse } from '../../edge-relay/sip/response';
import type { LocalAddress } from '../../edge-relay/sip/route';
import { parseVia } from '../../edge-relay/sip/via';
import { Transactions } from '../../edge-relay/transaction/transactions';
import { startTransport } from '../../edge-relay/transport/sip-transport';
import { freePort } from '../../platform/free-port';
import { startRedisServer } from '../support/redis-server';

// Each instance is a relay of a site: its own SIP transport and transactions (what the relay hands
// the module), one redis-server shared through a key prefix, a fake API on node:http and providers
// played by a bare UDP responder.
const redisUrl = inject('redisUrl');
const TOKEN = 'relay-token-for-tests';
const FAST = { targetsRefreshMs: 300, stateReadMs: 200, leaderTtlMs: 1_500, reportMs: 400 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** How many `tandem_provider_up` series an exposition holds (one per health target). */
const upSeries = (text: string) => text.split('\n').filter((l) => l.startsWith('tandem_provider_up{')).length;

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The API's two routes: the targets it serves (changeable) and the reports it got (parsed). */
async function fakeApi(providers: HealthTarget[]) {
  const api = {
    providers,
    reports: [] as ProviderStatusReport[],
    /** Answers 500 to everything while set. */
    failing: false,
    /** Never answers a targets request while set; counts those its client gave up. */
    holding: false,
    abandoned: 0,
    targetFetches: 0,
    unauthorized: 0,
    base: '',
  };
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      api.unauthorized += 1;
      res.writeHead(401).end();
      return;
    }
    if (req.url === '/v1/routing/health-targets') api.targetFetches += 1;
    if (api.holding && req.url === '/v1/routing/health-targets') {
      res.on('close', () => (api.abandoned += 1));
      return;
    }
    if (api.failing) {
      res.writeHead(500).end();
      return;
    }
    if (req.method === 'GET' && req.url === '/v1/routing/health-targets') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ providers: api.providers }));
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/providers/status') {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        api.reports.push(providerStatusReport.parse(JSON.parse(body)));
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return api;
}

/** A provider: answers OPTIONS with `mode` (a code) or stays silent; notes who probed it. */
async function provider() {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const peer = {
    port: socket.address().port,
    mode: 200 as number | 'silent',
    /** Via sent-by port of every OPTIONS received (retransmissions included): which relay probed. */
    probedBy: [] as number[],
    probes: new Set<string>(),
  };
  socket.on('message', (buf, from) => {
    const m = parseMessage(buf.toString('latin1'));
    if (m?.type !== 'request' || m.method !== 'OPTIONS') return;
    peer.probedBy.push(parseVia(header(m, 'via') ?? '')?.port ?? 0);
    peer.probes.add(header(m, 'call-id') ?? '');
    if (peer.mode === 'silent') return;
    socket.send(serialize(makeResponse(m, peer.mode, { toTag: 'p' })), from.port, from.address);
  });
  cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
  return peer;
}

function target(port: number, extra: Partial<HealthTarget> = {}): HealthTarget {
  return {
    provider_id: randomUUID(),
    uri: `sip:127.0.0.1:${port}`,
    transport: 'udp',
    interval_s: 1,
    timeout_ms: 400,
    down_after: 2,
    up_after: 2,
    alive_codes: ['200'],
    passive_down_after: 3,
    ...extra,
  };
}

type Instance = { health: ProviderHealth; port: number; lines: string[]; logged: (msg: string) => unknown[] };

/** One relay of the site: a SIP transport of its own and the module under test. */
async function relay(
  api: { base: string },
  redis: { url: string; keyPrefix: string } | undefined,
  relayId: string,
  extra: Partial<ProviderHealthOptions> = {},
): Promise<Instance> {
  const port = await freePort();
  let transactions: Transactions | undefined;
  const transport = await startTransport({
    address: '127.0.0.1',
    udpPort: port,
    tcpPort: port,
    onMessage: (raw) => {
      const m = parseMessage(raw);
      if (m?.type === 'response') transactions?.receiveResponse(m);
    },
    onError: () => {},
  });
  transactions = new Transactions(transport, { t1: 200, t2: 2000, t4: 2000 });
  const local: LocalAddress = { host: '127.0.0.1', ports: transport.ports };
  const lines: string[] = [];
  const health = startProviderHealth({
    apiBase: api.base,
    token: TOKEN,
    relayId,
    siteId: 'test-site',
    ...(redis ? { redis: { ...redis, commandTimeoutMs: 300 } } : {}),
    sendRequest: (request, to, onResponse) => transactions.request(request, to, onResponse),
    local,
    log: createLogger('info', (line) => lines.push(line)),
    timings: FAST,
    ...extra,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await health.stop();
    transactions.close();
    await transport.close();
  };
  cleanups.push(stop);
  const logged = (msg: string) =>
    lines.map((l) => JSON.parse(l) as { msg: string }).filter((l) => l.msg === msg);
  return { health: { ...health, stop }, port, lines, logged };
}

const site = () => ({ url: redisUrl, keyPrefix: `health-${randomBytes(4).toString('hex')}:` });

const attempt = (providerId: string, code: number, cause: AttemptOutcome['cause']): AttemptOutcome => ({
  call_id: randomUUID(),
  target_kind: 'provider',
  target_id: providerId,
  route_id: null,
  uri: 'sip:+33123@127.0.0.1',
  code,
  cause,
  pdd_ms: null,
  started_at: Date.now(),
  ended_at: Date.now(),
});

const isDown = (i: Instance, id: string) => i.health.downProviders().includes(id);
const reportOf = (reports: ProviderStatusReport[], id: string) =>
  reports.at(-1)?.providers.find((p) => p.provider_id === id);

describe('provider health of a site sharing Redis', () => {
  it('exactly one relay leads and probes; another takes over when it stops', async () => {
    const peer = await provider();
    const t = target(peer.port);
    const api = await fakeApi([t]);
    const keys = site();
    const [a, b] = [await relay(api, keys, 'relay-a'), await relay(api, keys, 'relay-b')];
    await until(() => a.health.isLeader() || b.health.isLeader(), 'a leader');
    const [leader, follower] = a.health.isLeader() ? [a, b] : [b, a];
    await until(() => peer.probes.size >= 3, 'three probes');
    expect(follower.health.isLeader()).toBe(false);
    expect(new Set(peer.probedBy)).toEqual(new Set([leader.port]));
    expect(await leader.health.metricsRegistry.metrics()).toContain('tandem_health_leader 1');
    expect(await follower.health.metricsRegistry.metrics()).toContain('tandem_health_leader 0');
    expect(await leader.health.metricsRegistry.metrics()).toContain(
      `tandem_provider_probes_total{provider="${t.provider_id}",result="alive"}`,
    );

    await leader.health.stop();
    await until(() => follower.health.isLeader(), 'the other relay to lead', FAST.leaderTtlMs * 2);
    const before = peer.probedBy.length;
    await until(() => peer.probedBy.slice(before).includes(follower.port), 'a probe of the new leader');
    expect(api.unauthorized).toBe(0);
  });

  it('a leader killed without a word: another takes over once its lease has run out', async () => {
    const peer = await provider();
    const api = await fakeApi([target(peer.port)]);
    const keys = site();
    const a = await relay(api, keys, 'relay-a');
    await until(() => a.health.isLeader(), 'relay-a to lead');
    // A clean stop gives the lease up; put it back unrenewed, as a killed relay leaves it.
    await a.health.stop();
    const redis = new Redis(redisUrl);
    cleanups.push(() => void redis.disconnect());
    await redis.set(`${keys.keyPrefix}health:leader`, 'relay-a', 'PX', FAST.leaderTtlMs);
    const b = await relay(api, keys, 'relay-b');
    await new Promise((r) => setTimeout(r, FAST.leaderTtlMs / 3));
    expect(b.health.isLeader()).toBe(false);
    await until(() => b.health.isLeader(), 'relay-b to lead', FAST.leaderTtlMs * 2);
  });

  it('a silent provider goes down on every relay, and comes back up after up_after alive probes', async () => {
    const peer = await provider();
    const t = target(peer.port);
    const api = await fakeApi([t]);
    const keys = site();
    const [a, b] = [await relay(api, keys, 'relay-a'), await relay(api, keys, 'relay-b')];
    await until(() => a.health.isLeader() || b.health.isLeader(), 'a leader');
    const leader = a.health.isLeader() ? a : b;
    await until(() => peer.probes.size >= 1, 'a first probe');
    expect(isDown(a, t.provider_id) || isDown(b, t.provider_id)).toBe(false);

    peer.mode = 'silent';
    // interval_s × down_after + timeout, and a read of the site on each relay.
    await until(() => isDown(a, t.provider_id) && isDown(b, t.provider_id), 'down on both relays', 6_000);
    expect(leader.logged('provider down')).toEqual([
      expect.objectContaining({ provider: t.provider_id, by: 'probe', fails: 2 }),
    ]);
    await until(() => reportOf(api.reports, t.provider_id)?.state === 'down', 'a report of the down state');
    expect(reportOf(api.reports, t.provider_id)).toMatchObject({
      down_by: 'probe',
      last_probe: { code: null, alive: false },
    });
    expect(api.reports.at(-1)).toMatchObject({
      site: 'test-site',
      relay_id: leader === a ? 'relay-a' : 'relay-b',
    });
    expect(await b.health.metricsRegistry.metrics()).toContain(
      `tandem_provider_up{provider="${t.provider_id}"} 0`,
    );
    expect(await leader.health.metricsRegistry.metrics()).toContain(
      `tandem_provider_marked_down_total{provider="${t.provider_id}",by="probe"} 1`,
    );

    peer.mode = 200;
    await until(() => !isDown(a, t.provider_id) && !isDown(b, t.provider_id), 'up on both relays', 6_000);
    expect(leader.logged('provider up')).toEqual([
      expect.objectContaining({ provider: t.provider_id, oks: 2 }),
    ]);
    await until(() => reportOf(api.reports, t.provider_id)?.state === 'up', 'a report of the up state');
    expect(await a.health.metricsRegistry.metrics()).toContain(
      `tandem_provider_up{provider="${t.provider_id}"} 1`,
    );
  });

  it('passive: a streak of failed attempts seen by a follower holds the provider down at once, then site-wide', async () => {
    const peer = await provider();
    // Probes at most once in the test's time, and never enough to bring it back: attempts decide.
    const t = target(peer.port, { interval_s: 30, up_after: 50, passive_down_after: 3 });
    const api = await fakeApi([t]);
    const keys = site();
    const [a, b] = [await relay(api, keys, 'relay-a'), await relay(api, keys, 'relay-b')];
    await until(() => a.health.isLeader() || b.health.isLeader(), 'a leader');
    const [leader, follower] = a.health.isLeader() ? [a, b] : [b, a];
    await until(
      async () => upSeries(await follower.health.metricsRegistry.metrics()) === 1,
      'targets on the follower',
    );

    // An answer ends a streak: two failures, an answer, two failures is no streak of three. The
    // relays talk to Redis on connections of their own: each attempt lands before the next.
    const seen = async (by: Instance, outcome: AttemptOutcome) => {
      by.health.observe(outcome, 3);
      await new Promise((r) => setTimeout(r, 50));
    };
    await seen(follower, attempt(t.provider_id, 408, 'no-provisional'));
    await seen(leader, attempt(t.provider_id, 503, 'response'));
    await seen(follower, attempt(t.provider_id, 486, 'response'));
    await seen(follower, attempt(t.provider_id, 487, 'cancelled'));
    await seen(follower, attempt(t.provider_id, 408, 'no-final'));
    await seen(leader, attempt(t.provider_id, 503, 'response'));
    await new Promise((r) => setTimeout(r, FAST.stateReadMs * 3));
    expect(isDown(follower, t.provider_id) || isDown(leader, t.provider_id)).toBe(false);

    // The third failure in a row, seen by the follower: down there first, on the leader after.
    follower.health.observe(attempt(t.provider_id, 408, 'no-final'), 3);
    await until(() => isDown(follower, t.provider_id), 'down on the follower', 500);
    await until(() => isDown(leader, t.provider_id), 'down on the leader', 2_000);
    expect(leader.logged('provider down')).toEqual([
      expect.objectContaining({ provider: t.provider_id, by: 'attempts' }),
    ]);
    // Seven attempts seen by the two relays, counted but the cancelled one: the 486 succeeded.
    await until(
      () => reportOf(api.reports, t.provider_id)?.attempts.total === 6,
      'a report with every attempt',
    );
    expect(reportOf(api.reports, t.provider_id)).toMatchObject({
      state: 'down',
      down_by: 'attempts',
      attempts: { window_s: 300, total: 6, succeeded: 1 },
    });

    // Coming back takes up_after alive probes (every 30 s here): still down a few reads later.
    await new Promise((r) => setTimeout(r, FAST.stateReadMs * 5));
    expect(isDown(follower, t.provider_id) && isDown(leader, t.provider_id)).toBe(true);
  });

  it('passive on a relay whose Redis is gone: counted alone, down at once, the mark written once Redis is back', async () => {
    const peer = await provider();
    const t = target(peer.port, { up_after: 50 });
    const api = await fakeApi([t]);
    const redisPort = await freePort();
    let server = await startRedisServer(redisPort);
    cleanups.push(() => server.stop());
    const keys = { url: server.url, keyPrefix: 'outage:' };
    const a = await relay(api, keys, 'relay-a');
    await until(() => a.health.isLeader(), 'relay-a to lead');
    await until(async () => upSeries(await a.health.metricsRegistry.metrics()) === 1, 'targets');
    await until(() => peer.probes.size >= 1, 'a first probe');

    await server.stop();
    for (let i = 0; i < 3; i++) a.health.observe(attempt(t.provider_id, 503, 'response'), undefined);
    await until(() => isDown(a, t.provider_id), 'down on the relay alone');
    // Still the leader, still probing.
    expect(a.health.isLeader()).toBe(true);
    const probed = peer.probes.size;
    await until(() => peer.probes.size >= probed + 2, 'probes during the outage');
    await until(
      () => a.logged('provider health redis unavailable: keeping the last known provider states').length > 0,
      'the outage logged',
    );

    server = await startRedisServer(redisPort);
    const redis = new Redis(server.url);
    cleanups.push(() => void redis.disconnect());
    await until(async () => {
      const stored = await redis.hget('outage:health:state', t.provider_id);
      return stored !== null && JSON.parse(stored).state === 'down';
    }, 'the down state written to Redis once back');
    expect(
      a.logged('provider health redis unavailable: keeping the last known provider states'),
    ).toHaveLength(1);
    await until(() => a.logged('provider health redis back').length === 1, 'the recovery logged');
    expect(isDown(a, t.provider_id)).toBe(true);
  });
});

describe("the site's store in Redis", () => {
  const store = (keyPrefix: string, relayId: string) => {
    const s = createRedisHealthStore({
      url: redisUrl,
      keyPrefix,
      commandTimeoutMs: 300,
      relayId,
      leaderTtlMs: 5_000,
      log: createLogger('silent'),
    });
    cleanups.push(() => s.close());
    return s;
  };

  it('one lease holder; a relay without the lease writes nothing; a mark set again outlives the merge', async () => {
    const { keyPrefix } = site();
    const [a, b] = [store(keyPrefix, 'relay-a'), store(keyPrefix, 'relay-b')];
    expect(await a.lead()).toBe(true);
    expect(await b.lead()).toBe(false);
    expect(await a.lead()).toBe(true);
    const down = afterPassiveMark(initialState(0), 1);
    expect(await b.commit({ states: new Map([['p1', down]]), removed: [], merged: new Map() })).toBe(false);
    expect((await a.read()).states.size).toBe(0);

    // Three failures in a row across the two relays: exactly one of them completes the streak.
    const first = await Promise.all([a.attemptFailed('p1', 3), b.attemptFailed('p1', 3)]);
    await b.attemptAnswered('p1');
    const streak = [
      await a.attemptFailed('p1', 3),
      await b.attemptFailed('p1', 3),
      await a.attemptFailed('p1', 3),
    ];
    expect(first).toEqual([false, false]);
    expect(streak).toEqual([false, false, true]);
    const token = (await b.read()).marks.get('p1')!;
    await b.mark('p1');
    expect(
      await a.commit({ states: new Map([['p1', down]]), removed: [], merged: new Map([['p1', token]]) }),
    ).toBe(true);
    const view = await b.read();
    expect(view.states.get('p1')).toEqual(down);
    expect(view.marks.has('p1')).toBe(true);

    await a.resign();
    expect(await b.lead()).toBe(true);
    await b.commit({ states: new Map(), removed: ['p1'], merged: new Map() });
    expect(await a.read()).toEqual({ states: new Map(), marks: new Map() });
  });

  it('attempt counts of several relays add up per bucket', async () => {
    const { keyPrefix } = site();
    const [a, b] = [store(keyPrefix, 'relay-a'), store(keyPrefix, 'relay-b')];
    await a.addAttempts(100, new Map([['p1', { total: 3, succeeded: 2 }]]));
    await b.addAttempts(100, new Map([['p1', { total: 1, succeeded: 0 }]]));
    await b.addAttempts(101, new Map([['p2', { total: 2, succeeded: 2 }]]));
    await b.addAttempts(200, new Map([['p2', { total: 9, succeeded: 9 }]]));
    expect(await a.attempts(72, 101)).toEqual(
      new Map([
        ['p1', { total: 4, succeeded: 2 }],
        ['p2', { total: 2, succeeded: 2 }],
      ]),
    );
  });
});

describe('provider health of a relay without Redis', () => {
  it('one relay leads, probes, holds providers down by probe and by attempts, and reports', async () => {
    const [silent, busy] = [await provider(), await provider()];
    silent.mode = 'silent';
    busy.mode = 486;
    const dead = target(silent.port);
    // Alive by its probes, never enough of them to come back up within the test.
    const failing = target(busy.port, { alive_codes: ['200', '4xx'], up_after: 50 });
    const api = await fakeApi([dead, failing]);
    const r = await relay(api, undefined, 'relay-alone');
    await until(() => r.health.isLeader(), 'the relay to lead');
    await until(() => isDown(r, dead.provider_id), 'the silent provider down');
    // A 486 is alive by its alive_codes: probes keep it up until real attempts fail.
    await until(() => busy.probes.size >= 1, 'a probe of the busy provider');
    expect(isDown(r, failing.provider_id)).toBe(false);
    for (let i = 0; i < 3; i++) r.health.observe(attempt(failing.provider_id, 408, 'no-provisional'), 3);
    await until(() => isDown(r, failing.provider_id), 'the failing provider down by attempts', 500);
    // Attempts of a provider the API did not list are not counted.
    r.health.observe(attempt(randomUUID(), 503, 'response'), 1);
    await until(
      () => reportOf(api.reports, failing.provider_id)?.attempts.total === 3,
      'a report with the attempts',
    );
    expect(api.reports.at(-1)!.providers).toHaveLength(2);
    expect(reportOf(api.reports, dead.provider_id)).toMatchObject({ state: 'down', down_by: 'probe' });
    expect(reportOf(api.reports, failing.provider_id)).toMatchObject({
      state: 'down',
      down_by: 'attempts',
      last_probe: { code: 486, alive: true },
    });
    expect(r.logged('provider down')).toHaveLength(2);

    // The provider dropped from the targets is no longer held down nor reported.
    api.providers = [failing];
    await until(() => !isDown(r, dead.provider_id), 'the dropped provider forgotten');
    await until(() => api.reports.at(-1)!.providers.length === 1, 'a report without it');
  });

  it('keeps its targets and states while the API fails, and says so once', async () => {
    const peer = await provider();
    peer.mode = 'silent';
    const t = target(peer.port);
    const api = await fakeApi([t]);
    const r = await relay(api, undefined, 'relay-alone');
    await until(() => isDown(r, t.provider_id), 'the silent provider down');
    api.failing = true;
    const fetched = api.targetFetches;
    await until(() => api.targetFetches >= fetched + 3, 'three failed fetches');
    expect(r.logged('health targets not fetched: keeping the last list')).toHaveLength(1);
    await until(() => r.logged('provider status not reported').length === 1, 'a failed report');
    expect(isDown(r, t.provider_id)).toBe(true);
    const probed = peer.probes.size;
    await until(() => peer.probes.size > probed, 'probes with the last list');

    api.failing = false;
    await until(() => r.logged('health targets fetched again').length === 1, 'targets fetched again');
    await until(() => r.logged('provider status reported again').length === 1, 'a report again');
    expect(r.logged('provider status not reported')).toHaveLength(1);
    expect(api.unauthorized).toBe(0);
  });

  it('a stop aborts a targets request in flight, without a warning', async () => {
    const api = await fakeApi([]);
    api.holding = true;
    const r = await relay(api, undefined, 'relay-stopping');
    await until(() => api.targetFetches === 1, 'a targets request sent');
    await r.health.stop();
    await until(() => api.abandoned === 1, 'the request abandoned');
    expect(r.logged('health targets not fetched: keeping the last list')).toEqual([]);
  });
});
