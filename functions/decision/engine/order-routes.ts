import { DEFAULT_CUSTOMER_ID } from '../../domain/common';
import type { StoredProvider } from '../../domain/provider';
import type { Route } from '../../domain/route';
import type { SkippedCandidate, SkipReason } from '../explain';
import { probePrefixes, type Snapshot } from './compile-snapshot';
import { type CustomerRules, providerAllowed } from './fraud-policy';
import { prefixLookup } from './prefix-table';
import { inAnyWindow } from './time-window';

export type OrderOptions = {
  now: number;
  /** Uniform [0, 1): pass a seeded one in tests and simulate. */
  random: () => number;
  maxAttempts?: number;
  /**
   * Providers the relay's site holds down (the decide request's `down_providers`): tried after
   * every other target, not skipped (a site's view may be stale, and a last try costs little);
   * the attempt cap applies after they moved.
   * No load comes in: the relay enforces limits with its site's counters (docs/admission.md).
   */
  downProviders?: ReadonlySet<string>;
};

export type Candidate = {
  route: Route;
  provider: StoredProvider;
  /** `customer` or `default`, and the route target that matched (`+82`, `all`). */
  tier: 'customer' | 'default';
  target: string;
  rate: { prefix: string; value: number } | undefined;
  reason: string;
};

export type Ordering = { chosen: Candidate[]; skipped: SkippedCandidate[] };

export const DEFAULT_MAX_ATTEMPTS = 5;

type Tier = { tier: Candidate['tier']; target: string; routes: Route[] };

/** The tiers of docs/design.md ("Route selection"): longest customer prefix, shorter ones, `all`; then the default customer's. */
function tiersFor(snapshot: Snapshot, customerId: string, callee: string): Tier[] {
  const tiers: Tier[] = [];
  const owners: [string, Tier['tier']][] = [[customerId, 'customer']];
  if (customerId !== DEFAULT_CUSTOMER_ID) owners.push([DEFAULT_CUSTOMER_ID, 'default']);
  for (const [owner, tier] of owners) {
    const routes = snapshot.routes.get(owner);
    if (!routes) continue;
    probePrefixes(routes.prefixes, callee, (target, group) => {
      tiers.push({ tier, target, routes: group });
      return false;
    });
    if (routes.all.length > 0) tiers.push({ tier, target: 'all', routes: routes.all });
  }
  return tiers;
}

function unusable(
  route: Route,
  provider: StoredProvider | undefined,
  customer: CustomerRules | undefined,
  options: OrderOptions,
): SkipReason | undefined {
  if (!route.enabled) return 'route_disabled';
  if (!provider) return 'provider_missing';
  if (!providerAllowed(customer, provider.id)) return 'provider_not_allowed';
  if (!provider.enabled) return 'provider_disabled';
  if (!inAnyWindow(route.time_windows, options.now)) return 'outside_time_window';
  return undefined;
}

/**
 * Orders the candidate routes for an E.164 callee of a customer, exactly as
 * docs/design.md ("Route selection"): tiers in order; inside a tier priority ascending, then (for
 * `lcr` routes) the provider's rate for the longest prefix of its deck (rated
 * before unrated; non-lcr routes compare equal), then a weighted random draw
 * among equals. Routes to providers the customer's policy does not allow are
 * skipped (its own routes and the default customer's alike). A provider keeps
 * its first place; providers held down move last; attempts are capped. Every
 * candidate ends up chosen or skipped.
 *
 * @example
 * const { chosen, skipped } = orderRoutes(snapshot, customerId, '+821012345678', { now, random });
 */
export function orderRoutes(
  snapshot: Snapshot,
  customerId: string,
  callee: string,
  options: OrderOptions,
): Ordering {
  const skipped: SkippedCandidate[] = [];
  const ordered: Ranked[] = [];
  const lookup = prefixLookup(callee);
  // Many routes share a provider: its rate for this number is looked up once.
  const rates = new Map<string, Candidate['rate']>();
  const customer = snapshot.global.customers.get(customerId);

  for (const { tier, target, routes } of tiersFor(snapshot, customerId, callee)) {
    const from = ordered.length;
    for (const route of routes) {
      const provider = snapshot.global.providers.get(route.provider_id);
      const reason = unusable(route, provider, customer, options);
      if (reason) {
        skipped.push({ route_id: route.id, provider_id: route.provider_id, reason });
        continue;
      }
      let rate: Candidate['rate'];
      if (route.lcr) {
        if (rates.has(route.provider_id)) rate = rates.get(route.provider_id);
        else {
          const deck = snapshot.rates.get(route.provider_id);
          rate = deck ? lookup(deck) : undefined;
          rates.set(route.provider_id, rate);
        }
      }
      ordered.push({
        route,
        provider: provider!,
        tier,
        target,
        rate,
        reason: '',
        cost: rate ? rate.value : Number.POSITIVE_INFINITY,
        // Efraimidis–Spirakis: sorting by u^(1/w) descending is a weighted random permutation.
        draw: options.random() ** (1 / route.weight),
      });
    }
    sortTier(ordered, from);
  }

  const seen = new Set<string>();
  const unique: Candidate[] = [];
  for (const c of ordered) {
    if (seen.has(c.provider.id)) {
      skipped.push({ route_id: c.route.id, provider_id: c.route.provider_id, reason: 'duplicate_provider' });
    } else {
      seen.add(c.provider.id);
      unique.push(c);
    }
  }
  const down = options.downProviders;
  const all =
    down && unique.some((c) => down.has(c.provider.id))
      ? [...unique.filter((c) => !down.has(c.provider.id)), ...unique.filter((c) => down.has(c.provider.id))]
      : unique;
  const cap = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  for (let i = cap; i < all.length; i++) {
    skipped.push({
      route_id: all[i]!.route.id,
      provider_id: all[i]!.route.provider_id,
      reason: 'attempt_cap',
    });
  }
  const chosen = all.length > cap ? all.slice(0, cap) : all;
  // Reasons are built for the chosen few only: most candidates of a large table are not.
  for (const c of chosen) c.reason = reasonOf(c, down?.has(c.provider.id) ?? false);
  return { chosen, skipped };
}

type Ranked = Candidate & { cost: number; draw: number };

const byRank = (a: Ranked, b: Ranked) =>
  a.route.priority - b.route.priority || a.cost - b.cost || b.draw - a.draw;

/** Sorts ordered[from..] in place: priority, then cost (LCR), then the weighted draw. */
function sortTier(ordered: Ranked[], from: number): void {
  if (ordered.length - from < 2) return;
  const tier = ordered.slice(from).sort(byRank);
  for (let i = 0; i < tier.length; i++) ordered[from + i] = tier[i]!;
}

function reasonOf(c: Candidate, down: boolean): string {
  let reason = `tier=${c.tier} prefix=${c.target} priority=${c.route.priority}`;
  if (c.route.lcr) reason += c.rate ? ` rate=${c.rate.value}@${c.rate.prefix}` : ' rate=none';
  reason += ` weight=${c.route.weight}`;
  return down ? `${reason} provider_down` : reason;
}
