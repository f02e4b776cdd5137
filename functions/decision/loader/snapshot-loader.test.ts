import { describe, expect, it } from 'vitest';
import { lookupRate } from '../../billing/deck';
import type { RateLine } from '../../billing/rate-line';
import { rateLineOf } from '../../billing/rate-line.fixture';
import { createMemoryCache, type VersionCache } from '../../cache';
import type { Customer } from '../../domain/customer';
import type { StoredProvider } from '../../domain/provider';
import type { StoredRatePlan } from '../../domain/rate-plan';
import type { Route } from '../../domain/route';
import type { DeckKind } from '../../store/config-reader';
import { ACME, DEFAULT, provider, route, uid } from '../engine/test-fixtures';
import { type ConfigSource, createSnapshotLoader } from './snapshot-loader';

const line = (prefix: string, rate: string): RateLine => rateLineOf(prefix, rate);

const PLAN = uid(900);
const plan = (over: Partial<StoredRatePlan> = {}): StoredRatePlan => ({
  id: PLAN,
  name: 'retail',
  detail: '',
  currency: 'EUR',
  rate_deck_version: 'p1',
  tm_create: '2026-11-23T10:00:00.000Z',
  tm_update: null,
  tm_delete: null,
  ...over,
});

/** An in-memory stand-in for the DynamoDB config reader that counts its calls. */
function fakeReader() {
  const state = {
    customers: [ACME, DEFAULT].map((id) => ({ id }) as Customer),
    providers: [
      provider(1, { rate_deck_version: 'v1' }),
      provider(2, { rate_deck_version: 'v1' }),
    ] as StoredProvider[],
    routes: [] as Route[],
    ratePlans: [plan()],
    decks: new Map([
      [provider(1).id, [line('+82', '0.1')]],
      [provider(2).id, [line('+82', '0.2')]],
      [PLAN, [line('+82', '0.3')]],
    ]),
    versions: { [ACME]: 1, [DEFAULT]: 1 } as Record<string, number>,
    calls: {
      rateDeck: [] as string[],
      deckKinds: [] as DeckKind[],
      routesOfCustomer: [] as string[],
      configVersions: 0,
    },
  };
  const reader: ConfigSource = {
    listAll: (async (kind: string) => {
      if (kind === 'customer') return state.customers;
      if (kind === 'provider') return state.providers;
      if (kind === 'route') return state.routes;
      if (kind === 'rate_plan') return state.ratePlans;
      return [];
    }) as ConfigSource['listAll'],
    routesOfCustomer: async (id) => {
      state.calls.routesOfCustomer.push(id);
      return state.routes.filter((r) => r.customer_id === id);
    },
    rateDeck: async (id, kind = 'provider') => {
      state.calls.rateDeck.push(id);
      state.calls.deckKinds.push(kind);
      return state.decks.get(id) ?? [];
    },
    configVersions: async (ids) => {
      state.calls.configVersions++;
      return Object.fromEntries(ids.map((id) => [id, state.versions[id] ?? 0]));
    },
  };
  /** What an API write leaves in DynamoDB: an ACME route to provider `n`, and ACME's version moved to `version`. */
  const writeRoute = (n: number, target: string, version: number) => {
    state.routes.push(route({ provider_id: provider(n).id, target }));
    state.versions[ACME] = version;
  };
  return { state, reader, writeRoute };
}

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('snapshot loader', () => {
  it('a route change recompiles that customer only, never the rate decks', async () => {
    const { state, reader, writeRoute } = fakeReader();
    const c = clock();
    const cache = createMemoryCache();
    const loader = createSnapshotLoader({ reader, cache, now: c.now });
    const first = await loader.get();
    expect(first.routes.size).toBe(0);
    expect(state.calls.rateDeck.sort()).toEqual([provider(1).id, provider(2).id, PLAN].sort());

    writeRoute(1, '+82', 2);
    await cache.bump(ACME);
    expect(await loader.get()).toBe(first); // within the check interval: no look
    c.advance(250);
    const second = await loader.get();
    expect(second.routes.get(ACME)?.prefixes.byPrefix.get('+82')).toHaveLength(1);
    expect(state.calls.routesOfCustomer).toEqual([ACME]);
    expect(state.calls.rateDeck).toHaveLength(3);
    expect(second.rates.get(provider(1).id)).toBe(first.rates.get(provider(1).id));
    expect(second.plans.get(PLAN)).toBe(first.plans.get(PLAN));
  });

  it('a new deck version recompiles that deck only', async () => {
    const { state, reader } = fakeReader();
    const c = clock();
    const cache = createMemoryCache();
    const loader = createSnapshotLoader({ reader, cache, now: c.now });
    const first = await loader.get();
    state.providers = [provider(1, { rate_deck_version: 'v2' }), state.providers[1]!];
    state.decks.set(provider(1).id, [line('+82', '0.01')]);
    state.versions[DEFAULT] = 2;
    await cache.bump(DEFAULT);
    c.advance(300);
    const second = await loader.get();
    expect(state.calls.rateDeck.filter((id) => id === provider(1).id)).toHaveLength(2);
    expect(state.calls.rateDeck.filter((id) => id === provider(2).id)).toHaveLength(1);
    expect(lookupRate(second.rates.get(provider(1).id)!, '+8210', c.now())?.rate).toBe('0.01');
    expect(second.rates.get(provider(2).id)).toBe(first.rates.get(provider(2).id));
    expect(second.plans.get(PLAN)).toBe(first.plans.get(PLAN));
  });

  it("a rate plan's deck is read as a plan's and recompiled only when its version moves, not when its currency does", async () => {
    const { state, reader } = fakeReader();
    const c = clock();
    const cache = createMemoryCache();
    const loader = createSnapshotLoader({ reader, cache, now: c.now });
    const first = await loader.get();
    expect(state.calls.deckKinds[state.calls.rateDeck.indexOf(PLAN)]).toBe('rate_plan');
    expect(lookupRate(first.plans.get(PLAN)!, '+8210', c.now())?.rate).toBe('0.3');
    expect(first.global.ratePlans.get(PLAN)?.currency).toBe('EUR');

    // A currency change moves no deck version: the deck is not read again, the plan's currency follows.
    state.ratePlans = [plan({ currency: 'GBP' })];
    state.versions[DEFAULT] = 2;
    await cache.bump(DEFAULT);
    c.advance(300);
    const second = await loader.get();
    expect(state.calls.rateDeck.filter((id) => id === PLAN)).toHaveLength(1);
    expect(second.global.ratePlans.get(PLAN)?.currency).toBe('GBP');
    expect(second.plans.get(PLAN)).toBe(first.plans.get(PLAN));

    state.ratePlans = [plan({ currency: 'GBP', rate_deck_version: 'p2' })];
    state.decks.set(PLAN, [line('+82', '0.25')]);
    state.versions[DEFAULT] = 3;
    await cache.bump(DEFAULT);
    c.advance(300);
    const third = await loader.get();
    expect(state.calls.rateDeck.filter((id) => id === PLAN)).toHaveLength(2);
    expect(state.calls.rateDeck.filter((id) => id === provider(1).id)).toHaveLength(1);
    expect(lookupRate(third.plans.get(PLAN)!, '+8210', c.now())?.rate).toBe('0.25');

    // A deleted plan leaves the snapshot.
    state.ratePlans = [];
    state.versions[DEFAULT] = 4;
    await cache.bump(DEFAULT);
    c.advance(300);
    expect((await loader.get()).plans.has(PLAN)).toBe(false);
  });

  it('an unchanged cache token costs no DynamoDB reads until the safety interval', async () => {
    const { state, reader } = fakeReader();
    const c = clock();
    const cache: VersionCache = { kind: 'redis', version: async () => 7, bump: async () => {} };
    const loader = createSnapshotLoader({ reader, cache, now: c.now });
    await loader.get();
    const reads = state.calls.configVersions;
    for (let i = 0; i < 20; i++) {
      c.advance(300);
      await loader.get();
    }
    expect(state.calls.configVersions).toBe(reads);
    c.advance(30_000);
    await loader.get();
    expect(state.calls.configVersions).toBe(reads + 1);
  });

  it('a cache outage degrades to DynamoDB version checks, never to errors', async () => {
    const { reader, writeRoute } = fakeReader();
    const c = clock();
    let down = false;
    const cache: VersionCache = {
      kind: 'redis',
      version: async () => {
        if (down) throw new Error('redis down');
        return 1;
      },
      bump: async () => {},
    };
    const events: string[] = [];
    const loader = createSnapshotLoader({ reader, cache, now: c.now, onEvent: (e) => events.push(e.type) });
    await loader.get();
    down = true;
    writeRoute(2, '+1', 5);
    c.advance(1_000);
    const s = await loader.get();
    expect(s.routes.get(ACME)?.prefixes.byPrefix.has('+1')).toBe(true);
    expect(events).toContain('cache_down');
  });

  it('a write in this process is seen by the next decision even when the cache bump was lost', async () => {
    const { reader, writeRoute } = fakeReader();
    const c = clock();
    const cache: VersionCache = { kind: 'redis', version: async () => 7, bump: async () => {} };
    const loader = createSnapshotLoader({ reader, cache, now: c.now });
    await loader.get();
    writeRoute(1, '+82', 2);
    loader.invalidate();
    expect((await loader.get()).routes.get(ACME)?.prefixes.byPrefix.has('+82')).toBe(true);
  });

  it('a failing DynamoDB refresh keeps the last snapshot', async () => {
    const { reader } = fakeReader();
    const c = clock();
    const loader = createSnapshotLoader({ reader, now: c.now });
    const first = await loader.get();
    reader.configVersions = async () => {
      throw new Error('dynamodb down');
    };
    c.advance(2_000);
    expect(await loader.get()).toBe(first);
  });

  describe('revalidate: background (a long-running server)', () => {
    /** A reader whose version reads answer only at `release()`, with what was stored when asked: a DynamoDB check in flight. */
    function slowVersions(reader: ConfigSource) {
      const read = reader.configVersions;
      let slow = false;
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      reader.configVersions = async (ids) => {
        const versions = await read(ids); // what DynamoDB held when asked...
        if (slow) await gate; // ...answered later
        return versions;
      };
      return {
        start: () => {
          slow = true;
        },
        release,
      };
    }

    it('a due check does not hold the decision back; its result is used once it is in', async () => {
      const { reader, writeRoute } = fakeReader();
      const c = clock();
      const dynamo = slowVersions(reader);
      const loader = createSnapshotLoader({
        reader,
        cache: createMemoryCache(),
        now: c.now,
        revalidate: 'background',
      });
      const first = await loader.get();
      dynamo.start();
      writeRoute(1, '+82', 2);
      c.advance(1_000); // the DynamoDB check (no Redis) is due
      expect(await loader.get()).toBe(first); // answered while the check waits on DynamoDB
      dynamo.release();
      await new Promise((r) => setTimeout(r, 0));
      c.advance(250);
      const second = await loader.get();
      expect(second).not.toBe(first);
      expect(second.routes.get(ACME)?.prefixes.byPrefix.has('+82')).toBe(true);
    });

    it('inline (the default, Lambda): the request that finds the check due waits for it', async () => {
      const { reader, writeRoute } = fakeReader();
      const c = clock();
      const dynamo = slowVersions(reader);
      const loader = createSnapshotLoader({ reader, cache: createMemoryCache(), now: c.now });
      const first = await loader.get();
      dynamo.start();
      writeRoute(1, '+82', 2);
      c.advance(1_000);
      let answered = false;
      const pending = loader.get().then((s) => {
        answered = true;
        return s;
      });
      await new Promise((r) => setTimeout(r, 0));
      expect(answered).toBe(false);
      dynamo.release();
      expect(await pending).not.toBe(first);
    });

    it('after a write in this process, or a quiet spell longer than maxStaleMs, the check comes first', async () => {
      const { reader, writeRoute } = fakeReader();
      const c = clock();
      const cache = createMemoryCache();
      const loader = createSnapshotLoader({
        reader,
        cache,
        now: c.now,
        revalidate: 'background',
        maxStaleMs: 1_000,
      });
      const first = await loader.get();
      writeRoute(1, '+82', 2);
      await cache.bump(ACME);
      loader.invalidate(); // what onConfigWrite does after an API write
      const written = await loader.get();
      expect(written.routes.get(ACME)?.prefixes.byPrefix.has('+82')).toBe(true);

      writeRoute(2, '+1', 3); // written by another process: only DynamoDB tells
      c.advance(5_000); // no decision for 5 s
      const quiet = await loader.get();
      expect(quiet).not.toBe(first);
      expect(quiet.routes.get(ACME)?.prefixes.byPrefix.has('+1')).toBe(true);
    });

    it('a write in this process while a check runs: the next decision waits for a check that sees it', async () => {
      const { reader, writeRoute } = fakeReader();
      const c = clock();
      const cache = createMemoryCache();
      const dynamo = slowVersions(reader);
      const loader = createSnapshotLoader({ reader, cache, now: c.now, revalidate: 'background' });
      const first = await loader.get();
      dynamo.start();
      c.advance(1_000);
      expect(await loader.get()).toBe(first); // a check starts behind this decision and waits on DynamoDB
      await new Promise((r) => setTimeout(r, 0)); // it has read the versions from before the write
      writeRoute(1, '+82', 2);
      await cache.bump(ACME);
      loader.invalidate(); // the API answered the write after this
      const next = [loader.get(), loader.get()];
      dynamo.release();
      for (const snapshot of await Promise.all(next))
        expect(snapshot.routes.get(ACME)?.prefixes.byPrefix.has('+82')).toBe(true);
    });
  });
});
