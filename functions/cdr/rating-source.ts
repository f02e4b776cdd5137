import type { RatingDecks } from '../billing/cdr-rating';
import { compileDeck } from '../billing/deck';
import { currencyOf } from '../billing/money';
import type { Snapshot } from '../decision/engine/compile-snapshot';

/** What rating a batch reads, from one snapshot: the decks, and each customer's daily spend limit. */
export type RatingContext = {
  decks: RatingDecks;
  /** The customer's `billing.daily_spend_limit` (null: none); undefined when the snapshot has no such customer. */
  dailySpendLimit(customerId: string): string | null | undefined;
  /** The customer has credit control (prepaid or a limit): its decisions hold credit. */
  creditControl(customerId: string): boolean;
};

/** The rating context as of now (the decision's compiled decks, refreshed as they change). */
export type RatingSource = () => Promise<RatingContext>;

const EMPTY_DECK = compileDeck([]);

/**
 * Rating reads the decision's snapshot: the same compiled decks LCR uses (provider decks by
 * provider id, rate plans by plan id) and the customers' rate plans and billing, so the decision
 * and the rating agree and nothing is compiled twice in a process.
 *
 * @example
 * const rating = ratingSourceOf(routing.deps.loader);
 * const { decks } = await rating();
 */
export function ratingSourceOf(loader: { get(): Promise<Snapshot> }): RatingSource {
  return async () => {
    const snapshot = await loader.get();
    const decks: RatingDecks = {
      provider(providerId) {
        const provider = snapshot.global.providers.get(providerId);
        const deck = snapshot.rates.get(providerId);
        if (!provider || !deck || deck.schedules.length === 0) return undefined;
        return { deck, currency: currencyOf(provider) };
      },
      plan(customerId) {
        const planId = snapshot.global.customers.get(customerId)?.ratePlanId;
        const plan = planId ? snapshot.global.ratePlans.get(planId) : undefined;
        if (!plan) return undefined;
        // A plan without a deck yet prices nothing (`no_rate`), but it is the customer's plan.
        return { id: plan.id, deck: snapshot.plans.get(plan.id) ?? EMPTY_DECK, currency: currencyOf(plan) };
      },
    };
    return {
      decks,
      dailySpendLimit(customerId) {
        const rules = snapshot.global.customers.get(customerId);
        if (!rules) return undefined;
        return rules.billing?.daily_spend_limit ?? null;
      },
      // The snapshot keeps `billing` only for customers with credit control (engine/fraud-policy.ts).
      creditControl: (customerId) => snapshot.global.customers.get(customerId)?.billing !== undefined,
    };
  };
}

/** No decks and no customers: every record is stored with its sides unrated (tests, benchmarks). */
export const withoutDecks: RatingSource = async () => ({
  decks: { provider: () => undefined, plan: () => undefined },
  dailySpendLimit: () => null,
  creditControl: () => false,
});
