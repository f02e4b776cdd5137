import { compileDeck, type Deck } from '../../billing/deck';
import type { VersionCache } from '../../cache';
import type { Route } from '../../domain/route';
import type { ConfigReader, DeckKind } from '../../store/config-reader';
import {
  type CustomerRoutes,
  compileGlobal,
  compileRoutes,
  type GlobalConfig,
  type Snapshot,
} from '../engine/compile-snapshot';

export type ConfigSource = Pick<ConfigReader, 'listAll' | 'routesOfCustomer' | 'rateDeck' | 'configVersions'>;

export type LoaderOptions = {
  reader: ConfigSource;
  cache?: VersionCache | undefined;
  now?: () => number;
  /** How often the cache token is polled (a write is seen within this plus one rebuild). */
  checkIntervalMs?: number;
  /** DynamoDB version check when the cache cannot tell (memory cache elsewhere, Redis down). */
  fallbackIntervalMs?: number;
  /** DynamoDB version check even with a healthy Redis (a bump that failed is caught up). */
  safetyIntervalMs?: number;
  /**
   * `inline` (default, Lambda): the request that finds a check due waits for it. `background`
   * (a long-running server): it answers from the current snapshot if that was checked within
   * `maxStaleMs`, and the check runs behind it. Lambda must stay inline: it freezes the process
   * once the response is out, and a check frozen mid-flight would hold every later check back.
   */
  revalidate?: 'inline' | 'background';
  /** `background` only: a snapshot checked longer ago than this (sparse traffic) is checked first. */
  maxStaleMs?: number;
  onEvent?: (event: LoaderEvent) => void;
  /**
   * Every `get`: answered from the snapshot in memory (`hit`), or after waiting for a version
   * check (`check`) or the first build (`build`). Called on the decide path: keep it cheap.
   */
  onLookup?: (result: 'hit' | 'check' | 'build') => void;
};

export type LoaderEvent =
  | { type: 'build'; ms: number; customers: number; decks: number }
  | { type: 'refresh'; ms: number; customers: string[]; decks: string[] }
  | { type: 'cache_down'; error: string }
  | { type: 'refresh_failed'; error: string }
  /**
   * Normalization rules whose pattern RE2 refuses (stored before patterns were checked with RE2):
   * they never match. Sent when the list changes; `rules` are indexes in the profile's rules.
   */
  | { type: 'unsupported_patterns'; profiles: { id: string; rules: number[] }[] };

export type SnapshotLoader = {
  /** The current snapshot, refreshed first when a check is due and something changed. */
  get(): Promise<Snapshot>;
  /** A write in this process: the next get waits for a version check that started after it. */
  invalidate(): void;
  /** When the last check that did not fail started (ms): what the snapshot is known current as of; undefined before the first build. */
  checkedAt?(): number | undefined;
};

/** A compiled deck and the owner's deck version it was compiled from. */
type CachedDeck = { version: string | null; deck: Deck };

/** A provider or a rate plan: what holds a deck. */
type DeckOwner = { id: string; rate_deck_version: string | null };

/**
 * Keeps one compiled snapshot per warm instance and rebuilds only what
 * changed: a customer whose version counter moved gets its routes recompiled,
 * the global tables (sources, DIDs, providers, profiles: small) are rebuilt,
 * and a deck (a provider's or a rate plan's) is recompiled only when its owner's
 * `rate_deck_version` moved — a route change never recompiles a million rate prefixes.
 *
 * Checks are cheap: one cache GET at most every `checkIntervalMs` (250 ms);
 * DynamoDB version counters only when the token moved, when the cache is down
 * or in-process only (every `fallbackIntervalMs`, 1 s), and every
 * `safetyIntervalMs` (30 s) regardless. A cache outage never fails a decision.
 *
 * @example
 * const loader = createSnapshotLoader({ reader: createConfigReader(store), cache });
 * const snapshot = await loader.get();
 */
export function createSnapshotLoader(options: LoaderOptions): SnapshotLoader {
  const now = options.now ?? Date.now;
  const checkMs = options.checkIntervalMs ?? 250;
  const fallbackMs = options.fallbackIntervalMs ?? 1_000;
  const safetyMs = options.safetyIntervalMs ?? 30_000;
  const background = options.revalidate === 'background';
  const maxStaleMs = options.maxStaleMs ?? fallbackMs;
  const reader = options.reader;

  let snapshot: Snapshot | undefined;
  let versions: Record<string, number> = {};
  let routes = new Map<string, CustomerRoutes>();
  const decks: Record<DeckKind, Map<string, CachedDeck>> = { provider: new Map(), rate_plan: new Map() };
  let token: number | undefined;
  let lastCheck = 0;
  let lastDynamoCheck = 0;
  /** When the last check that completed without a failure started: what the snapshot is known to be as of. */
  let verifiedAt = 0;
  let inflight: Promise<Snapshot> | undefined;
  /**
   * Writes through this process (invalidate), how many of them the running check started after,
   * and how many the last finished check (or build) started after.
   */
  let writes = 0;
  let writesSeen = 0;
  let writesApplied = 0;
  /** After a cache failure it is left alone for a while, so an outage does not add a timeout to every check. */
  let cacheDownUntil = 0;

  async function readVersions(): Promise<Record<string, number>> {
    const customers = await reader.listAll('customer');
    return reader.configVersions(customers.map((c) => c.id));
  }

  async function readGlobal(): Promise<GlobalConfig> {
    // Customers again, after the versions: their limits and policies are data, read after the counters.
    const [ipbxs, providers, dids, domains, profiles, customers, ratePlans] = await Promise.all([
      reader.listAll('ipbx'),
      reader.listAll('provider'),
      reader.listAll('did'),
      reader.listAll('domain'),
      reader.listAll('normalization_profile'),
      reader.listAll('customer'),
      reader.listAll('rate_plan'),
    ]);
    return { ipbxs, providers, dids, domains, profiles, customers, ratePlans };
  }

  /** Recompiles the decks whose owner's deck version moved; the ids of those it read. */
  async function refreshDecks(config: GlobalConfig): Promise<string[]> {
    const owners: [DeckKind, readonly DeckOwner[]][] = [
      ['provider', config.providers],
      ['rate_plan', config.ratePlans ?? []],
    ];
    const stale: [DeckKind, DeckOwner][] = [];
    const next: Record<DeckKind, Map<string, CachedDeck>> = { provider: new Map(), rate_plan: new Map() };
    for (const [kind, list] of owners) {
      for (const owner of list) {
        const current = decks[kind].get(owner.id);
        if (current && current.version === owner.rate_deck_version) next[kind].set(owner.id, current);
        else stale.push([kind, owner]);
      }
    }
    // Two decks at a time: a raw 100k-line deck is ~10 MB of objects until compiled,
    // so the peak stays bounded however many providers and plans there are.
    let index = 0;
    const worker = async () => {
      for (let s = stale[index++]; s; s = stale[index++]) {
        const [kind, owner] = s;
        const lines = owner.rate_deck_version ? await reader.rateDeck(owner.id, kind) : [];
        next[kind].set(owner.id, { version: owner.rate_deck_version, deck: compileDeck(lines) });
      }
    };
    await Promise.all([worker(), worker()]);
    decks.provider = next.provider;
    decks.rate_plan = next.rate_plan;
    return stale.map(([, owner]) => owner.id);
  }

  /** The compiled decks of one kind, by owner id (an owner's currency is read from the owner). */
  function compiledDecks(kind: DeckKind, owners: readonly DeckOwner[]): Map<string, Deck> {
    const compiled = new Map<string, Deck>();
    for (const owner of owners) {
      const cached = decks[kind].get(owner.id);
      if (cached) compiled.set(owner.id, cached.deck);
    }
    return compiled;
  }

  let unsupportedReported = '[]';
  function assemble(config: GlobalConfig): Snapshot {
    const global = compileGlobal(config);
    const unsupported = [...global.profiles.values()]
      .filter((p) => p.unsupported.length > 0)
      .map((p) => ({ id: p.id, rules: p.unsupported }));
    if (JSON.stringify(unsupported) !== unsupportedReported) {
      unsupportedReported = JSON.stringify(unsupported);
      options.onEvent?.({ type: 'unsupported_patterns', profiles: unsupported });
    }
    return {
      global,
      rates: compiledDecks('provider', config.providers),
      plans: compiledDecks('rate_plan', config.ratePlans ?? []),
      routes,
    };
  }

  async function build(): Promise<Snapshot> {
    const started = now();
    // Versions are read before the data: a write in between shows up as a change on the next check.
    const nextVersions = await readVersions();
    const [config, allRoutes] = await Promise.all([readGlobal(), reader.listAll('route')]);
    const grouped = new Map<string, Route[]>();
    for (const r of allRoutes) grouped.set(r.customer_id, [...(grouped.get(r.customer_id) ?? []), r]);
    routes = new Map([...grouped].map(([id, rs]) => [id, compileRoutes(rs)]));
    await refreshDecks(config);
    versions = nextVersions;
    snapshot = assemble(config);
    const deckCount = decks.provider.size + decks.rate_plan.size;
    options.onEvent?.({ type: 'build', ms: now() - started, customers: routes.size, decks: deckCount });
    return snapshot;
  }

  async function refresh(): Promise<void> {
    const started = now();
    lastDynamoCheck = started;
    const nextVersions = await readVersions();
    const changed = Object.keys({ ...versions, ...nextVersions }).filter(
      (id) => versions[id] !== nextVersions[id],
    );
    if (changed.length === 0) return;
    const config = await readGlobal();
    const nextRoutes = new Map(routes);
    await Promise.all(
      changed.map(async (id) => {
        if (!(id in nextVersions)) nextRoutes.delete(id);
        else nextRoutes.set(id, compileRoutes(await reader.routesOfCustomer(id)));
      }),
    );
    routes = nextRoutes;
    const changedDecks = await refreshDecks(config);
    versions = nextVersions;
    snapshot = assemble(config);
    options.onEvent?.({ type: 'refresh', ms: now() - started, customers: changed, decks: changedDecks });
  }

  async function check(): Promise<Snapshot> {
    const t = now();
    lastCheck = t;
    let verified = true;
    // After a write in this process DynamoDB is read whatever the cache says (its bump may have failed).
    let dynamoDue = t - lastDynamoCheck >= safetyMs || writesSeen !== writesApplied;
    if (options.cache && t >= cacheDownUntil) {
      try {
        const next = await options.cache.version();
        if (next !== token) {
          token = next;
          dynamoDue = true;
        }
        if (options.cache.kind === 'memory' && t - lastDynamoCheck >= fallbackMs) dynamoDue = true;
      } catch (error) {
        cacheDownUntil = t + 5_000;
        token = undefined;
        verified = false;
        options.onEvent?.({ type: 'cache_down', error: (error as Error).message });
        if (t - lastDynamoCheck >= fallbackMs) dynamoDue = true;
      }
    } else if (t - lastDynamoCheck >= fallbackMs) dynamoDue = true;
    if (dynamoDue) {
      try {
        await refresh();
      } catch (error) {
        // DynamoDB unreachable: keep deciding on the last snapshot; the next check retries.
        verified = false;
        options.onEvent?.({ type: 'refresh_failed', error: (error as Error).message });
      }
    }
    if (verified) verifiedAt = t;
    return snapshot!;
  }

  /**
   * One build or check at a time, and which writes of this process it covers: those made before it
   * started. Even a failed check counts (without DynamoDB, decisions go on from the last snapshot).
   */
  function singleFlight(work: () => Promise<Snapshot>): Promise<Snapshot> {
    if (!inflight) {
      writesSeen = writes;
      const seen = writes;
      inflight = work()
        .then((built) => {
          writesApplied = seen;
          return built;
        })
        .finally(() => {
          inflight = undefined;
        });
    }
    return inflight;
  }

  async function get(): Promise<Snapshot> {
    if (!snapshot) {
      options.onLookup?.('build');
      return singleFlight(async () => {
        if (options.cache) token = await options.cache.version().catch(() => undefined);
        lastCheck = lastDynamoCheck = verifiedAt = now();
        return build();
      });
    }
    if (writesApplied !== writes) {
      // A write through this process (the API answered it already): wait for a check that started after it.
      options.onLookup?.('check');
      if (!inflight) return singleFlight(check);
      return writesSeen === writes ? inflight : inflight.then(get);
    }
    if (now() - lastCheck < checkMs || inflight) {
      // Fresh enough, or a check is running: answer from what we have.
      options.onLookup?.('hit');
      return snapshot;
    }
    const checked = singleFlight(check);
    // A check that waits on DynamoDB (every second without Redis) took 15–30 ms of the request
    // that started it: the relay's p99 post-dial delay. Behind the request, it costs no call a wait.
    if (!background || now() - verifiedAt > maxStaleMs) {
      options.onLookup?.('check');
      return checked;
    }
    options.onLookup?.('hit');
    checked.catch((error: unknown) =>
      options.onEvent?.({ type: 'refresh_failed', error: (error as Error).message }),
    );
    return snapshot;
  }

  return {
    get,
    invalidate() {
      writes++;
    },
    checkedAt: () => (snapshot ? verifiedAt : undefined),
  };
}
