import type { DecideResponse } from '../../../contract/decide';
import { creditDecision, holdExpiresAt } from '../../billing/credit-decision';
import { lookupRate } from '../../billing/deck';
import { subtractMoney } from '../../billing/money';
import { backoff } from '../../store/backoff';
import { CREDIT_ATTEMPTS, type CreditAccount, CreditContention } from '../../store/credit';
import type { Snapshot } from '../engine/compile-snapshot';

/** The credit account as the decision uses it (store/credit.ts binds it to DynamoDB). */
export type CreditAccounts = {
  read(customerId: string, nowMs: number): Promise<CreditAccount>;
  /** False: the account moved since `expectedVersion` was read. */
  hold(
    customerId: string,
    callId: string,
    amount: string,
    expiresAt: number,
    expectedVersion: number,
  ): Promise<boolean>;
};

type Routed = Extract<DecideResponse, { action: 'route' }>;

/**
 * The credit check of a routed outbound call (docs/billing.md, "Credit"), after the pure engine
 * decided its route: for a customer with credit control, read the account, apply `creditDecision`
 * and either refuse the call (403 with the reason) or hold the price of its longest affordable
 * time under the call's id, conditioned on the account's version, and answer that time as
 * `max_duration_s`. A lost race reads the account again, so two calls never hold the same money.
 * Any other answer passes unchanged.
 *
 * @example
 * response = await checkCredit(response, request.call_id, snapshot, credit, now);
 */
export async function checkCredit(
  response: DecideResponse,
  callId: string,
  snapshot: Snapshot,
  credit: CreditAccounts,
  nowMs: number,
): Promise<DecideResponse> {
  if (response.action !== 'route' || response.call.direction !== 'outbound') return response;
  const customerId = response.call.customer_id;
  const rules = snapshot.global.customers.get(customerId);
  const billing = rules?.billing;
  if (!billing) return response;
  const plan = rules.ratePlanId ? snapshot.plans.get(rules.ratePlanId) : undefined;
  const sellLine = plan ? lookupRate(plan, response.call.callee, nowMs) : undefined;
  // Decisions on one account may race (calls of one customer at once): each retry reads it again.
  for (let attempt = 1; attempt <= CREDIT_ATTEMPTS; attempt++) {
    const account = await credit.read(customerId, nowMs);
    // The call decided again (a retried decide): its own hold is replaced, not counted against it.
    const own = account.holds.find((h) => h.callId === callId);
    const held = own ? subtractMoney(account.held, own.amount) : account.held;
    const outcome = creditDecision({
      billing,
      account: { balance: account.balance, held, spendToday: account.spendToday },
      sellLine,
      maxCallDurationS: response.max_duration_s,
    });
    if ('refuse' in outcome) return refused(response, outcome.refuse);
    if ('unlimited' in outcome) return response;
    const ringMs = response.targets.reduce((sum, t) => sum + t.timers.final_ms, 0);
    const expiresAt = holdExpiresAt(nowMs, outcome.max_duration_s, ringMs);
    if (await credit.hold(customerId, callId, outcome.hold, expiresAt, account.version)) {
      return { ...response, max_duration_s: outcome.max_duration_s };
    }
    await backoff(attempt);
  }
  throw new CreditContention(customerId);
}

function refused(response: Routed, reason: string): DecideResponse {
  const { call } = response;
  return {
    action: 'reject',
    code: 403,
    reason,
    call: {
      customer_id: call.customer_id,
      direction: call.direction,
      source_kind: call.source_kind,
      source_id: call.source_id,
      caller: call.caller,
      callee: call.callee,
      ...(call.did !== undefined ? { did: call.did } : {}),
    },
  };
}
