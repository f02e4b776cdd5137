import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredProvider } from '../../domain/provider';
import type { StoredRatePlan } from '../../domain/rate-plan';
import type { Route } from '../../domain/route';
import { compileSnapshot, type DeckLineInput } from './compile-snapshot';
import { type OrderOptions, orderRoutes } from './order-routes';
import { seededRandom } from './random';
import { ACME, customer, DEFAULT, provider, route, uid } from './test-fixtures';

const now = Date.parse('2026-11-23T10:00:00Z'); // a Monday
const p = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => provider(n));
const providers = p;
const options = (over: Partial<OrderOptions> = {}): OrderOptions => ({
  now,
  random: seededRandom(1),
  ...over,
});

function order(
  routes: Route[],
  callee = '+821012345678',
  over: Partial<OrderOptions> = {},
  extra: {
    providers?: StoredProvider[];
    rates?: Record<string, DeckLineInput[]>;
    plans?: Record<string, DeckLineInput[]>;
    ratePlans?: StoredRatePlan[];
    customers?: ReturnType<typeof customer>[];
  } = {},
) {
  const snapshot = compileSnapshot({
    global: {
      ipbxs: [],
      providers: extra.providers ?? providers,
      dids: [],
      domains: [],
      profiles: [],
      ...(extra.customers ? { customers: extra.customers } : {}),
      ...(extra.ratePlans ? { ratePlans: extra.ratePlans } : {}),
    },
    routes,
    rates: extra.rates,
    plans: extra.plans,
  });
  return orderRoutes(snapshot, ACME, callee, options(over));
}
const ids = (r: ReturnType<typeof order>) => r.chosen.map((c) => c.provider.id);

describe('VoIPBIN route documentation scenarios', () => {
  it('simple failover: priority 1 then priority 2 for all destinations', () => {
    const r = order([
      route({ provider_id: p[2]!.id, priority: 2 }),
      route({ provider_id: p[1]!.id, priority: 1 }),
    ]);
    expect(ids(r)).toEqual([p[1]!.id, p[2]!.id]);
  });

  it('cost by destination: different providers per prefix', () => {
    const routes = [
      route({ provider_id: p[1]!.id, target: '+82' }),
      route({ provider_id: p[2]!.id, target: '+1' }),
      route({ provider_id: p[3]!.id, target: 'all', priority: 9 }),
    ];
    expect(ids(order(routes, '+821012345678'))).toEqual([p[1]!.id, p[3]!.id]);
    expect(ids(order(routes, '+12125550100'))).toEqual([p[2]!.id, p[3]!.id]);
    expect(ids(order(routes, '+442012345678'))).toEqual([p[3]!.id]);
  });

  it("customer-specific routes come before (override) the default customer's", () => {
    const routes = [
      route({ customer_id: DEFAULT, provider_id: p[1]!.id, target: '+82' }),
      route({ customer_id: DEFAULT, provider_id: p[2]!.id, target: 'all' }),
      route({ provider_id: p[3]!.id, target: '+82', priority: 50 }),
    ];
    const r = order(routes);
    expect(ids(r)).toEqual([p[3]!.id, p[1]!.id, p[2]!.id]);
    expect(r.chosen.map((c) => c.tier)).toEqual(['customer', 'default', 'default']);
  });
});

describe('ordering (docs/design.md, route selection)', () => {
  it('priority ascending inside a tier — fails if ordering breaks', () => {
    const priorities = [7, 3, 9, 1, 5];
    const r = order(priorities.map((priority, i) => route({ provider_id: p[i + 1]!.id, priority })));
    expect(r.chosen.map((c) => c.route.priority)).toEqual([1, 3, 5, 7, 9]);
    expect(ids(r)).toEqual([p[4]!.id, p[2]!.id, p[5]!.id, p[1]!.id, p[3]!.id]);
  });

  it('tiers: longest customer prefix, shorter prefixes, all, then the default customer tiers — priority only inside a tier', () => {
    const r = order([
      route({ provider_id: p[1]!.id, target: 'all', priority: 0 }),
      route({ provider_id: p[2]!.id, target: '+82', priority: 5 }),
      route({ provider_id: p[3]!.id, target: '+8210', priority: 9 }),
      route({ customer_id: DEFAULT, provider_id: p[4]!.id, target: '+821012', priority: 0 }),
      route({ customer_id: DEFAULT, provider_id: p[5]!.id, target: 'all', priority: 0 }),
      route({ provider_id: p[6]!.id, target: '+1', priority: 0 }),
    ]);
    expect(ids(r)).toEqual([p[3]!.id, p[2]!.id, p[1]!.id, p[4]!.id, p[5]!.id]);
    expect(r.chosen.map((c) => `${c.tier}:${c.target}`)).toEqual([
      'customer:+8210',
      'customer:+82',
      'customer:all',
      'default:+821012',
      'default:all',
    ]);
    expect(r.chosen[0]!.reason).toBe('tier=customer prefix=+8210 priority=9 weight=100');
  });

  it('falls back to the default customer when the customer has no route', () => {
    const r = order([route({ customer_id: DEFAULT, provider_id: p[1]!.id, target: '+82' })]);
    expect(ids(r)).toEqual([p[1]!.id]);
    expect(order([route({ customer_id: DEFAULT, provider_id: p[1]!.id, target: '+1' })]).chosen).toEqual([]);
  });

  it('LCR: same priority ordered by the rate of the longest deck prefix; unrated after rated', () => {
    const rates = {
      [p[1]!.id]: [
        { prefix: '+82', rate: '0.01' },
        { prefix: '+8210', rate: '0.05' },
      ],
      [p[2]!.id]: [{ prefix: '+82', rate: '0.03' }],
      [p[3]!.id]: [{ prefix: '+1', rate: '0.001' }],
    };
    const routes = [1, 2, 3].map((n) => route({ provider_id: p[n]!.id, lcr: true }));
    const r = order(routes, '+821012345678', {}, { rates });
    expect(ids(r)).toEqual([p[2]!.id, p[1]!.id, p[3]!.id]);
    expect(r.chosen.map((c) => c.reason.split(' ')[3])).toEqual([
      'rate=0.03@+82',
      'rate=0.05@+8210',
      'rate=none',
    ]);
    // The rate never beats priority.
    const r2 = order(
      [
        route({ provider_id: p[1]!.id, lcr: true, priority: 2 }),
        route({ provider_id: p[2]!.id, lcr: true, priority: 3 }),
      ],
      '+821012345678',
      {},
      { rates },
    );
    expect(ids(r2)).toEqual([p[1]!.id, p[2]!.id]);
  });

  it('LCR ties: equal rates fall to the weighted draw, and both orders occur across seeds', () => {
    const rates = {
      [p[1]!.id]: [{ prefix: '+82', rate: '0.02' }],
      [p[2]!.id]: [{ prefix: '+82', rate: '0.02' }],
    };
    const routes = [route({ provider_id: p[1]!.id, lcr: true }), route({ provider_id: p[2]!.id, lcr: true })];
    const firsts = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const a = order(routes, '+821012345678', { random: seededRandom(seed) }, { rates });
      const b = order(routes, '+821012345678', { random: seededRandom(seed) }, { rates });
      expect(ids(a)).toEqual(ids(b)); // reproducible per seed
      firsts.add(ids(a)[0]!);
    }
    expect(firsts.size).toBe(2);
  });

  it('LCR compares rates as decimals, not floats', () => {
    // 0.1 + 0.2 is no float's 0.3: a float compare would put p2 first.
    const rates = {
      [p[1]!.id]: [{ prefix: '+82', rate: '0.3' }],
      [p[2]!.id]: [{ prefix: '+82', rate: '0.300001' }],
      [p[3]!.id]: [{ prefix: '+82', rate: '0.299999' }],
    };
    const routes = [2, 1, 3].map((n) => route({ provider_id: p[n]!.id, lcr: true }));
    expect(ids(order(routes, '+821012345678', {}, { rates }))).toEqual([p[3]!.id, p[1]!.id, p[2]!.id]);
  });

  it('LCR uses the buy rate in force at the clock: a scheduled change takes over at its time, with no import', () => {
    const MIDNIGHT = '2027-01-01T00:00:00.000Z';
    const rates = {
      // p1 is cheaper until midnight, then dearer than p2.
      [p[1]!.id]: [
        { prefix: '+82', rate: '0.01' },
        { prefix: '+82', rate: '0.05', effective_from: MIDNIGHT },
      ],
      [p[2]!.id]: [{ prefix: '+82', rate: '0.03' }],
      // p3's only line starts at midnight: unrated before it.
      [p[3]!.id]: [{ prefix: '+82', rate: '0.001', effective_from: MIDNIGHT }],
    };
    const routes = [1, 2, 3].map((n) => route({ provider_id: p[n]!.id, lcr: true }));
    const at = (iso: string) => order(routes, '+821012345678', { now: Date.parse(iso) }, { rates });
    const before = at('2026-12-31T23:59:59.999Z');
    expect(ids(before)).toEqual([p[1]!.id, p[2]!.id, p[3]!.id]);
    expect(before.chosen.map((c) => c.rate?.rate)).toEqual(['0.01', '0.03', undefined]);
    const after = at(MIDNIGHT);
    expect(ids(after)).toEqual([p[3]!.id, p[2]!.id, p[1]!.id]);
    expect(after.chosen.map((c) => c.reason.split(' ')[3])).toEqual([
      'rate=0.001@+82',
      'rate=0.03@+82',
      'rate=0.05@+82',
    ]);
  });

  describe('exclude_negative_margin', () => {
    const PLAN = uid(900);
    const plan = (currency = 'USD'): StoredRatePlan => ({
      id: PLAN,
      name: 'retail',
      detail: '',
      currency,
      rate_deck_version: 'v1',
      tm_create: '2026-11-23T10:00:00.000Z',
      tm_update: null,
      tm_delete: null,
    });
    const MIDNIGHT = '2027-01-01T00:00:00.000Z';
    const rates = {
      [p[1]!.id]: [{ prefix: '+82', rate: '0.02' }], // below the sell rate
      [p[2]!.id]: [{ prefix: '+82', rate: '0.05' }], // equal: no loss, kept
      [p[3]!.id]: [
        { prefix: '+82', rate: '0.04' },
        { prefix: '+82', rate: '0.050001', effective_from: MIDNIGHT },
      ],
      // p4 has no deck; p5 no line for the callee.
      [p[5]!.id]: [{ prefix: '+1', rate: '0.001' }],
    };
    const plans = { [PLAN]: [{ prefix: '+8210', rate: '0.05' }] };
    const withPlan = [customer(ACME, { rate_plan_id: PLAN })];
    const routes = (flag: boolean) =>
      [1, 2, 3, 4, 5].map((n) => route({ provider_id: p[n]!.id, lcr: true, exclude_negative_margin: flag }));
    const run = (
      flag: boolean,
      over: { now?: string; callee?: string; currency?: string; customers?: typeof withPlan } = {},
    ) =>
      order(
        routes(flag),
        over.callee ?? '+821012345678',
        { now: Date.parse(over.now ?? '2026-12-31T12:00:00Z') },
        { rates, plans, ratePlans: [plan(over.currency)], customers: over.customers ?? withPlan },
      );

    it('skips a provider whose buy rate in force exceeds the sell rate in force, from the time it does', () => {
      // Unrated providers (p4, p5) come last in a weighted draw: compared as a set.
      const before = run(true);
      expect(ids(before).slice(0, 3)).toEqual([p[1]!.id, p[3]!.id, p[2]!.id]);
      expect(new Set(ids(before).slice(3))).toEqual(new Set([p[4]!.id, p[5]!.id]));
      expect(before.skipped).toEqual([]);
      const margins = Object.fromEntries(before.chosen.map((c) => [c.provider.id, c.margin]));
      expect(margins).toEqual({
        [p[1]!.id]: '0.03',
        [p[3]!.id]: '0.01',
        [p[2]!.id]: '0',
        [p[4]!.id]: 'unknown(no_buy_rate)',
        [p[5]!.id]: 'unknown(no_buy_rate)',
      });
      expect(before.chosen[0]!.reason).toContain(' margin=0.03 ');

      const after = run(true, { now: MIDNIGHT });
      expect(ids(after).slice(0, 2)).toEqual([p[1]!.id, p[2]!.id]);
      expect(new Set(ids(after).slice(2))).toEqual(new Set([p[4]!.id, p[5]!.id]));
      expect(after.skipped).toEqual([
        { route_id: expect.any(String), provider_id: p[3]!.id, reason: 'negative_margin' },
      ]);
    });

    it('off (the default): nothing is skipped and no margin is noted', () => {
      const r = run(false, { now: MIDNIGHT });
      expect(r.skipped).toEqual([]);
      expect(r.chosen).toHaveLength(5);
      expect(r.chosen.every((c) => c.margin === undefined && !c.reason.includes('margin='))).toBe(true);
    });

    it('no plan, no sell line, or another currency: kept, the reason says why the margin is unknown', () => {
      const noPlan = run(true, { now: MIDNIGHT, customers: [customer(ACME)] });
      expect(noPlan.skipped).toEqual([]);
      expect(noPlan.chosen.map((c) => c.margin)).toEqual(Array(5).fill('unknown(no_rate_plan)'));
      expect(noPlan.chosen[0]!.reason).toContain('margin=unknown(no_rate_plan)');

      const noLine = run(true, { now: MIDNIGHT, callee: '+821112345678' });
      expect(noLine.skipped).toEqual([]);
      expect(noLine.chosen.map((c) => c.margin)).toEqual(Array(5).fill('unknown(no_sell_rate)'));

      const euros = run(true, { now: MIDNIGHT, currency: 'EUR' });
      expect(euros.skipped).toEqual([]);
      expect(euros.chosen.find((c) => c.provider.id === p[3]!.id)?.margin).toBe('unknown(currency USD/EUR)');
    });

    it("compares in the provider's currency: a provider in the plan's currency is checked", () => {
      const eurProviders = providers.map((x) => ({ ...x, currency: 'EUR' }));
      const r = order(
        routes(true),
        '+821012345678',
        { now: Date.parse(MIDNIGHT) },
        { providers: eurProviders, rates, plans, ratePlans: [plan('EUR')], customers: withPlan },
      );
      expect(r.skipped.map((x) => [x.provider_id, x.reason])).toEqual([[p[3]!.id, 'negative_margin']]);
    });
  });

  it('weights: a 3:1 split leads 75% of draws (fixed seed, 4000 draws)', () => {
    const routes = [
      route({ provider_id: p[1]!.id, weight: 300 }),
      route({ provider_id: p[2]!.id, weight: 100 }),
    ];
    const random = seededRandom(12345);
    let heavyFirst = 0;
    for (let i = 0; i < 4000; i++) if (ids(order(routes, '+82101', { random }))[0] === p[1]!.id) heavyFirst++;
    expect(heavyFirst / 4000).toBeGreaterThan(0.73);
    expect(heavyFirst / 4000).toBeLessThan(0.77);
  });

  it('a provider keeps its first place only', () => {
    const r = order([
      route({ provider_id: p[1]!.id, target: '+82', priority: 1 }),
      route({ provider_id: p[2]!.id, target: '+82', priority: 2 }),
      route({ provider_id: p[1]!.id, target: 'all', priority: 0 }),
    ]);
    expect(ids(r)).toEqual([p[1]!.id, p[2]!.id]);
    expect(r.skipped).toEqual([
      expect.objectContaining({ provider_id: p[1]!.id, reason: 'duplicate_provider' }),
    ]);
  });

  const skipCases: [string, Partial<Route>, Partial<StoredProvider>, Partial<OrderOptions>, string][] = [
    ['disabled route', { enabled: false }, {}, {}, 'route_disabled'],
    ['disabled provider', {}, { enabled: false }, {}, 'provider_disabled'],
    [
      'outside its time window',
      { time_windows: [{ days: ['sat'], start: '00:00', end: '00:00', tz: 'UTC' }] },
      {},
      {},
      'outside_time_window',
    ],
  ];
  it.each(skipCases)('skips a route: %s', (_name, routeOver, providerOver, opts, reason) => {
    const r = order(
      [route({ provider_id: p[1]!.id, ...routeOver }), route({ provider_id: p[2]!.id, priority: 2 })],
      '+821012345678',
      opts,
      { providers: [provider(1, providerOver), p[2]!] },
    );
    expect(ids(r)).toEqual([p[2]!.id]);
    expect(r.skipped).toEqual([{ route_id: expect.any(String), provider_id: p[1]!.id, reason }]);
  });

  it('inside the window, and with limits set (the relay enforces them), is not skipped', () => {
    const r = order(
      [
        route({
          provider_id: p[1]!.id,
          time_windows: [{ days: ['mon'], start: '09:00', end: '17:00', tz: 'UTC' }],
        }),
      ],
      '+82101',
      {},
      { providers: [provider(1, { limits: { max_concurrent_calls: 1, max_cps: 0.1 } })] },
    );
    expect(ids(r)).toEqual([p[1]!.id]);
  });

  it('skips a route whose provider does not exist', () => {
    const r = order([route({ provider_id: uid(999) })]);
    expect(r.skipped[0]?.reason).toBe('provider_missing');
  });

  it('providers held down go last, keeping their relative order, and say provider_down', () => {
    const routes = [1, 2, 3, 4].map((n) => route({ provider_id: p[n]!.id, priority: n }));
    const r = order(routes, '+82101', { downProviders: new Set([p[1]!.id, p[3]!.id]) });
    expect(ids(r)).toEqual([p[2]!.id, p[4]!.id, p[1]!.id, p[3]!.id]);
    expect(r.chosen.map((c) => c.reason.endsWith(' provider_down'))).toEqual([false, false, true, true]);
    expect(r.skipped).toEqual([]);
  });

  it('a provider held down still counts against the attempt cap after the others', () => {
    const routes = [1, 2, 3].map((n) => route({ provider_id: p[n]!.id, priority: n }));
    const r = order(routes, '+82101', { downProviders: new Set([p[1]!.id]), maxAttempts: 2 });
    expect(ids(r)).toEqual([p[2]!.id, p[3]!.id]);
    expect(r.skipped).toEqual([{ route_id: routes[0]!.id, provider_id: p[1]!.id, reason: 'attempt_cap' }]);
  });

  it('caps attempts (default 5, configurable) and reports the rest', () => {
    const routes = [1, 2, 3, 4, 5, 6, 7].map((n) => route({ provider_id: p[n]!.id, priority: n }));
    expect(order(routes).chosen).toHaveLength(5);
    expect(order(routes).skipped.map((s) => s.reason)).toEqual(['attempt_cap', 'attempt_cap']);
    expect(order(routes, '+82101', { maxAttempts: 2 }).chosen).toHaveLength(2);
  });
});

describe('ordering invariants (property)', () => {
  const arbRoute = fc.record({
    provider: fc.integer({ min: 0, max: 7 }),
    priority: fc.integer({ min: 0, max: 4 }),
    target: fc.constantFrom('all', '+8', '+82', '+8210', '+1'),
    enabled: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
    weight: fc.integer({ min: 1, max: 1000 }),
    lcr: fc.boolean(),
    customer: fc.constantFrom(ACME, DEFAULT),
  });

  it('one place per provider, priorities non-decreasing within a tier, chosen ∪ skipped = candidates', () => {
    fc.assert(
      fc.property(
        fc.array(arbRoute, { maxLength: 25 }),
        fc.integer(),
        fc.integer({ min: 1, max: 8 }),
        (rs, seed, cap) => {
          const routes = rs.map((x) =>
            route({
              provider_id: p[x.provider]!.id,
              priority: x.priority,
              target: x.target,
              enabled: x.enabled,
              weight: x.weight,
              lcr: x.lcr,
              customer_id: x.customer,
            }),
          );
          const rates = {
            [p[1]!.id]: [{ prefix: '+82', rate: '0.2' }],
            [p[2]!.id]: [{ prefix: '+8', rate: '0.1' }],
          };
          const r = order(
            routes,
            '+821012345678',
            { random: seededRandom(seed), maxAttempts: cap },
            { rates },
          );
          const chosenIds = r.chosen.map((c) => c.provider.id);
          expect(new Set(chosenIds).size).toBe(chosenIds.length);
          expect(r.chosen.length).toBeLessThanOrEqual(cap);
          for (let i = 1; i < r.chosen.length; i++) {
            const [a, b] = [r.chosen[i - 1]!, r.chosen[i]!];
            if (a.tier === b.tier && a.target === b.target)
              expect(a.route.priority).toBeLessThanOrEqual(b.route.priority);
          }
          const matching = routes.filter((x) => x.target === 'all' || '+821012345678'.startsWith(x.target));
          const accounted = [...r.chosen.map((c) => c.route.id), ...r.skipped.map((s) => s.route_id)].sort();
          expect(accounted).toEqual(matching.map((x) => x.id).sort());
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});
