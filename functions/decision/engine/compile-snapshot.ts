import { compileDeck, type Deck } from '../../billing/deck';
import { type RateLine, rateLine } from '../../billing/rate-line';
import type { StoredCustomer } from '../../domain/customer';
import type { Did } from '../../domain/did';
import type { Domain } from '../../domain/domain';
import type { StoredIpbx } from '../../domain/ipbx';
import type { NormalizationProfile } from '../../domain/normalization-profile';
import type { StoredProvider } from '../../domain/provider';
import type { StoredRatePlan } from '../../domain/rate-plan';
import type { Route } from '../../domain/route';
import { buildCidrTable, type CidrEntry, type CidrTable } from './cidr-table';
import { type CustomerRules, compileCustomerRules } from './fraud-policy';
import { type CompiledProfile, compileProfile } from './normalize';
import { type PrefixIndex, prefixIndex } from './prefix-index';

export { type PrefixIndex, probePrefixes } from './prefix-index';

/** The raw configuration that is not per-customer routes or rate decks. */
export type GlobalConfig = {
  ipbxs: readonly StoredIpbx[];
  providers: readonly StoredProvider[];
  dids: readonly Did[];
  domains: readonly Domain[];
  profiles: readonly NormalizationProfile[];
  /** Their limits and fraud policies; absent (engine tests, benchmarks): no customer has any. */
  customers?: readonly StoredCustomer[];
  /** Rate plans (their currency); absent: none. */
  ratePlans?: readonly StoredRatePlan[];
};

export type GlobalTables = {
  ipbxs: Map<string, StoredIpbx>;
  providers: Map<string, StoredProvider>;
  sources: CidrTable;
  /** IPBXs with credentials by `realm\nusername` (digest-only identification) and by realm. */
  credentials: Map<string, StoredIpbx>;
  realms: Map<string, StoredIpbx>;
  didExact: Map<string, Did>;
  didRanges: PrefixIndex<Did>;
  /** Domains by name: loaded, but no decision reads them yet (the realm is the IPBX credentials'). */
  domains: Map<string, Domain>;
  profiles: Map<string, CompiledProfile>;
  /** Each customer's limits and fraud policy, compiled; the default customer's deny list applies to all. */
  customers: Map<string, CustomerRules>;
  /** Rate plans by id (their decks are `Snapshot.plans`); a customer names its plan (`CustomerRules.ratePlanId`). */
  ratePlans: Map<string, StoredRatePlan>;
};

export type CustomerRoutes = { prefixes: PrefixIndex<Route[]>; all: Route[] };

/**
 * Everything a decision reads, compiled. Parts version separately: global
 * tables (small), decks per provider and per rate plan (large), routes per customer.
 */
export type Snapshot = {
  global: GlobalTables;
  /** Provider decks (buy) by provider id; a provider without a deck has none here or an empty one. */
  rates: ReadonlyMap<string, Deck>;
  /** Rate plan decks (sell) by plan id: `lookupRate(snapshot.plans.get(planId), callee, now)`. */
  plans: ReadonlyMap<string, Deck>;
  routes: ReadonlyMap<string, CustomerRoutes>;
};

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * @example
 * const global = compileGlobal({ ipbxs, providers, dids, domains, profiles, customers });
 */
export function compileGlobal(config: GlobalConfig): GlobalTables {
  const ipbxs = [...config.ipbxs].sort(byId);
  const providers = [...config.providers].sort(byId);
  // A party answers for its sources: each customer for its IPBXs, the operator for providers.
  const sources: CidrEntry[] = [
    ...ipbxs.flatMap((i) => {
      const owner = { kind: 'ipbx' as const, id: i.id, party: `customer:${i.customer_id}` };
      return i.allowed_sources.map((s) => ({ ...s, owner }));
    }),
    ...providers.flatMap((p) => {
      const owner = { kind: 'provider' as const, id: p.id, party: 'operator' };
      return p.allowed_sources.map((s) => ({ ...s, owner }));
    }),
  ];
  const credentials = new Map<string, StoredIpbx>();
  const realms = new Map<string, StoredIpbx>();
  for (const i of ipbxs) {
    if (!i.credentials) continue;
    const key = `${i.credentials.realm}\n${i.credentials.username}`;
    if (!credentials.has(key)) credentials.set(key, i);
    if (!realms.has(i.credentials.realm)) realms.set(i.credentials.realm, i);
  }
  return {
    ipbxs: new Map(ipbxs.map((i) => [i.id, i])),
    providers: new Map(providers.map((p) => [p.id, p])),
    sources: buildCidrTable(sources),
    credentials,
    realms,
    didExact: new Map(config.dids.filter((d) => !d.range).map((d) => [d.number, d])),
    didRanges: prefixIndex(config.dids.filter((d) => d.range).map((d) => [d.number, d])),
    domains: new Map(config.domains.map((d) => [d.name, d])),
    profiles: new Map(config.profiles.map((p) => [p.id, compileProfile(p)])),
    customers: new Map((config.customers ?? []).map((c) => [c.id, compileCustomerRules(c)])),
    ratePlans: new Map((config.ratePlans ?? []).map((p) => [p.id, p])),
  };
}

/** One customer's routes, grouped by target; sorted by id so random draws are reproducible. */
export function compileRoutes(routes: readonly Route[]): CustomerRoutes {
  const groups = new Map<string, Route[]>();
  const all: Route[] = [];
  for (const route of [...routes].sort(byId)) {
    if (route.target === 'all') all.push(route);
    else {
      const group = groups.get(route.target);
      if (group) group.push(route);
      else groups.set(route.target, [route]);
    }
  }
  return { prefixes: prefixIndex(groups), all };
}

/** A deck line with only what differs from the defaults (tests, benchmarks). */
export type DeckLineInput = Pick<RateLine, 'prefix' | 'rate'> & Partial<RateLine>;

/** The columns after `rate` as a line that leaves them out holds them: the schema's defaults. */
const LINE_DEFAULTS = rateLine.omit({ prefix: true, rate: true }).parse({});

/** A deck from lines that may leave out the columns after `rate` (rate-line.ts's defaults). */
export function compileRates(lines: readonly DeckLineInput[]): Deck {
  return compileDeck(lines.map((l) => ({ ...LINE_DEFAULTS, ...l })));
}

/**
 * Compiles everything at once (tests, simulate of a raw config); the loader
 * compiles parts and swaps them in as their versions change.
 */
export function compileSnapshot(input: {
  global: GlobalConfig;
  routes: readonly Route[];
  rates?: Readonly<Record<string, readonly DeckLineInput[]>>;
  plans?: Readonly<Record<string, readonly DeckLineInput[]>>;
}): Snapshot {
  const perCustomer = new Map<string, Route[]>();
  for (const r of input.routes)
    perCustomer.set(r.customer_id, [...(perCustomer.get(r.customer_id) ?? []), r]);
  return {
    global: compileGlobal(input.global),
    rates: new Map(Object.entries(input.rates ?? {}).map(([id, deck]) => [id, compileRates(deck)])),
    plans: new Map(Object.entries(input.plans ?? {}).map(([id, deck]) => [id, compileRates(deck)])),
    routes: new Map([...perCustomer].map(([id, routes]) => [id, compileRoutes(routes)])),
  };
}
