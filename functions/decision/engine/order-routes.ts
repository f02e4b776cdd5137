import { Big } from 'big.js';
import { lookupRateWith } from '../../billing/deck';
import { currencyOf } from '../../billing/money';
import type { RateLine } from '../../billing/rate-line';
import { DEFAULT_CUSTOMER_ID } from '../../domain/common';
import type { StoredProvider } from '../../domain/provider';
import type { Route } from '../../domain/route';
import type { SkippedCandidate, SkipReason } from '../explain';
import { probePrefixes, type Snapshot } from './compile-snapshot';
import { type CustomerRules, providerAllowed } from './fraud-policy';
import { prefixLookup } from './prefix-table';
import { inAnyWindow } from './time-window';

export type OrderOptions = {
  /** The decision's clock (epoch ms): time windows and the rates in force are read at it. */
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
  /** The provider's buy line in force now for the callee (lcr routes and margin checks only). */
  rate: RateLine | undefined;
  /** What the margin check found (`exclude_negative_margin` routes only), for the reason. */
  margin: string | undefined;
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
 * `lcr` routes) the provider's rate in force at `options.now` for the longest prefix of its deck
 * (rated before unrated; non-lcr routes compare equal), then a weighted random draw
 * among equals. A route with `exclude_negative_margin` is skipped (`negative_margin`) when that
 * buy rate exceeds the customer's sell rate (its rate plan's line in force now). Routes to providers the customer's policy does not allow are
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
  const rates = new Map<string, BuyRate>();
  const buyRate = (providerId: string): BuyRate => {
    let found = rates.get(providerId);
    if (!found) {
      const deck = snapshot.rates.get(providerId);
      const line = deck ? lookupRateWith(lookup, deck, options.now) : undefined;
      found = { line, cost: line ? new Big(line.rate) : undefined };
      rates.set(providerId, found);
    }
    return found;
  };
  const customer = snapshot.global.customers.get(customerId);
  let sell: SellRate | undefined;

  for (const { tier, target, routes } of tiersFor(snapshot, customerId, callee)) {
    const from = ordered.length;
    for (const route of routes) {
      const provider = snapshot.global.providers.get(route.provider_id);
      const reason = unusable(route, provider, customer, options);
      if (reason) {
        skipped.push({ route_id: route.id, provider_id: route.provider_id, reason });
        continue;
      }
      const buy = route.lcr || route.exclude_negative_margin === true ? buyRate(route.provider_id) : NO_RATE;
      let margin: string | undefined;
      if (route.exclude_negative_margin === true) {
        sell ??= sellRate(snapshot, customer, lookup, options.now);
        margin = marginOf(buy, sell, currencyOf(provider));
        if (margin === NEGATIVE) {
          skipped.push({ route_id: route.id, provider_id: route.provider_id, reason: 'negative_margin' });
          continue;
        }
      }
      ordered.push({
        route,
        provider: provider!,
        tier,
        target,
        rate: buy.line,
        margin,
        reason: '',
        cost: route.lcr ? buy.cost : undefined,
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

/** A provider's buy line for the callee now, and its rate as a decimal (undefined: unrated). */
type BuyRate = { line: RateLine | undefined; cost: Big | undefined };
const NO_RATE: BuyRate = { line: undefined, cost: undefined };

/** The customer's sell line for the callee now, or why there is none to compare with. */
type SellRate = { rate: Big; currency: string } | { missing: 'no_rate_plan' | 'no_sell_rate' };

function sellRate(
  snapshot: Snapshot,
  customer: CustomerRules | undefined,
  lookup: ReturnType<typeof prefixLookup>,
  now: number,
): SellRate {
  const planId = customer?.ratePlanId ?? null;
  const deck = planId === null ? undefined : snapshot.plans.get(planId);
  if (planId === null || !deck) return { missing: 'no_rate_plan' };
  const line = lookupRateWith(lookup, deck, now);
  if (!line) return { missing: 'no_sell_rate' };
  return { rate: new Big(line.rate), currency: currencyOf(snapshot.global.ratePlans.get(planId)) };
}

const NEGATIVE = 'negative';

/**
 * The margin check of an `exclude_negative_margin` route: NEGATIVE when the buy rate in force
 * exceeds the sell rate (per minute, same currency: connect fees and increments are not compared);
 * otherwise the note its reason carries. What cannot be compared (no plan, no sell or buy line,
 * two currencies) does not exclude the provider: an unknown margin is no negative one.
 */
function marginOf(buy: BuyRate, sell: SellRate, buyCurrency: string): string {
  if ('missing' in sell) return `unknown(${sell.missing})`;
  if (!buy.cost) return 'unknown(no_buy_rate)';
  if (buyCurrency !== sell.currency) return `unknown(currency ${buyCurrency}/${sell.currency})`;
  if (buy.cost.gt(sell.rate)) return NEGATIVE;
  return sell.rate.minus(buy.cost).toFixed();
}

type Ranked = Candidate & { cost: Big | undefined; draw: number };

/** Least cost first, unrated last; exact decimals, never floats. */
const byCost = (a: Big | undefined, b: Big | undefined) => (a && b ? a.cmp(b) : a ? -1 : b ? 1 : 0);

const byRank = (a: Ranked, b: Ranked) =>
  a.route.priority - b.route.priority || byCost(a.cost, b.cost) || b.draw - a.draw;

/** Sorts ordered[from..] in place: priority, then cost (LCR), then the weighted draw. */
function sortTier(ordered: Ranked[], from: number): void {
  if (ordered.length - from < 2) return;
  const tier = ordered.slice(from).sort(byRank);
  for (let i = 0; i < tier.length; i++) ordered[from + i] = tier[i]!;
}

function reasonOf(c: Candidate, down: boolean): string {
  let reason = `tier=${c.tier} prefix=${c.target} priority=${c.route.priority}`;
  if (c.route.lcr) reason += c.rate ? ` rate=${c.rate.rate}@${c.rate.prefix}` : ' rate=none';
  if (c.margin !== undefined) reason += ` margin=${c.margin}`;
  reason += ` weight=${c.route.weight}`;
  return down ? `${reason} provider_down` : reason;
}
