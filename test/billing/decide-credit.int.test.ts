import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DecideResponse } from '../../contract/decide';
import { compileDeck } from '../../functions/billing/deck';
import type { RateLine } from '../../functions/billing/rate-line';
import { PER_SECOND, rateLineOf } from '../../functions/billing/rate-line.fixture';
import { compileSnapshot, type Snapshot } from '../../functions/decision/engine/compile-snapshot';
import {
  baseIpbx,
  baseProvider,
  baseRequest,
  customer,
  route,
} from '../../functions/decision/engine/test-fixtures';
import { createDecideHandler } from '../../functions/decision/http/decide-handler';
import type { CustomerBilling } from '../../functions/domain/customer-billing';
import type { Store } from '../../functions/store';
import { chargeCall, creditAccounts, moveBalance, readAccount } from '../../functions/store/credit';
import { freshStore } from '../api/store-fixture';

// The decision's credit check against a real credit account (DynamoDB Local): refusals, holds,
// the maximum duration, and two decisions racing for the same money.
const NOW = Date.parse('2026-12-05T10:00:00Z');
const TOKEN = 'relay-token';
const PLAN = '00000000-0000-4000-8000-00000000a1a1';
const line = (over: Partial<RateLine> = {}): RateLine => rateLineOf('+8210', '1', { ...PER_SECOND, ...over });

let store: Store;
beforeAll(async () => {
  store = await freshStore();
});

/** A customer of its own (so its own account) with one IPBX, one route and a plan rating +8210. */
function world(billing: CustomerBilling, options: { lines?: RateLine[]; maxDurationS?: number } = {}) {
  const customerId = randomUUID();
  const base = customer(customerId, {
    policy: { max_call_duration_s: options.maxDurationS ?? null },
  });
  const snapshot = {
    ...compileSnapshot({
      global: {
        ipbxs: [{ ...baseIpbx, customer_id: customerId }],
        providers: [baseProvider],
        dids: [],
        domains: [],
        profiles: [],
        customers: [{ ...base, billing, rate_plan_id: PLAN }],
      },
      routes: [route({ customer_id: customerId, provider_id: baseProvider.id })],
    }),
    plans: new Map([[PLAN, compileDeck(options.lines ?? [line()])]]),
  } as Snapshot;
  const handle = createDecideHandler({
    loader: { get: async () => snapshot, invalidate: () => {} },
    relayToken: TOKEN,
    nonceSecret: 'secret',
    now: () => NOW,
    credit: creditAccounts(store),
  });
  const decide = async (callId: string, callee = '+821012345678'): Promise<DecideResponse> => {
    const request = { ...baseRequest, call_id: callId, request_uri: `sip:${callee}@relay.example` };
    const reply = await handle(`Bearer ${TOKEN}`, JSON.stringify(request));
    expect(reply.status).toBe(200);
    return JSON.parse(reply.body) as DecideResponse;
  };
  const credit = (amount: string) => moveBalance(store, customerId, { amount, note: 'test', by: 'operator' });
  return { customerId, decide, credit };
}

const prepaid: CustomerBilling = { mode: 'prepaid', daily_spend_limit: null };
const held = async (customerId: string) => (await readAccount(store, customerId, NOW)).held;

describe('the decision’s credit check', () => {
  it('a prepaid call gets the time its balance pays, held under its call id', async () => {
    const w = world(prepaid);
    await w.credit('0.05');
    const answer = await w.decide('call-a');
    expect(answer).toMatchObject({ action: 'route', max_duration_s: 3 });
    const account = await readAccount(store, w.customerId, NOW);
    expect(account.holds).toEqual([
      // Ringing (the target's 60 s final timer) + 3 s + the 300 s record margin.
      { callId: 'call-a', amount: '0.05', expiresAt: NOW / 1000 + 60 + 3 + 300 },
    ]);
  });

  it('two decisions racing for one call’s worth of credit: one routes, the other is refused', async () => {
    const w = world(prepaid);
    await w.credit('0.05');
    const answers = await Promise.all([w.decide('race-1'), w.decide('race-2')]);
    const routed = answers.filter((a) => a.action === 'route');
    const refused = answers.filter((a) => a.action === 'reject');
    expect(routed).toHaveLength(1);
    expect(refused).toEqual([
      expect.objectContaining({
        code: 403,
        reason: 'insufficient_credit',
        call: expect.objectContaining({ customer_id: w.customerId, direction: 'outbound' }),
      }),
    ]);
    expect(await held(w.customerId)).toBe('0.05');
  });

  it('many decisions at once share the balance: each holds its own time, none the same money', async () => {
    // 0.1 pays 6 s; the policy caps a call at 2 s: three calls fit, three do not.
    const w = world(prepaid, { maxDurationS: 2 });
    await w.credit('0.1');
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => w.decide(`many-${i}`)));
    const routed = answers.filter((a) => a.action === 'route');
    expect(routed.map((a) => a.max_duration_s)).toEqual([2, 2, 2]);
    expect(answers.filter((a) => a.action === 'reject').map((a) => a.reason)).toEqual([
      'insufficient_credit',
      'insufficient_credit',
      'insufficient_credit',
    ]);
    // Three holds of 2 s at 1 a minute: 0.033333 each, every amount rounded once.
    expect(await held(w.customerId)).toBe('0.099999');
  });

  it('a call decided again replaces its own hold', async () => {
    const w = world(prepaid);
    await w.credit('0.05');
    expect(await w.decide('again')).toMatchObject({ action: 'route', max_duration_s: 3 });
    expect(await w.decide('again')).toMatchObject({ action: 'route', max_duration_s: 3 });
    expect(await held(w.customerId)).toBe('0.05');
  });

  it('the charged record releases the hold and draws the balance', async () => {
    const w = world(prepaid);
    await w.credit('0.1');
    expect(await w.decide('charged')).toMatchObject({ max_duration_s: 6 });
    expect(await w.decide('waiting')).toMatchObject({ action: 'reject', reason: 'insufficient_credit' });
    await chargeCall(store, {
      customerId: w.customerId,
      cdrId: 'cdr-charged',
      callId: 'charged',
      amount: '0.05',
      currency: 'USD',
      day: '2026-12-05',
      at: '2026-12-05T10:00:10.000Z',
      dailySpendLimit: null,
    });
    expect(await w.decide('next')).toMatchObject({ action: 'route', max_duration_s: 3 });
  });

  it("the policy's maximum duration caps the time held", async () => {
    const w = world(prepaid, { maxDurationS: 2 });
    await w.credit('10');
    expect(await w.decide('capped')).toMatchObject({ action: 'route', max_duration_s: 2 });
    expect(await held(w.customerId)).toBe('0.033333');
  });

  it('a prepaid call with no line for its destination is refused', async () => {
    const w = world(prepaid);
    await w.credit('10');
    expect(await w.decide('elsewhere', '+33123456789')).toMatchObject({
      action: 'reject',
      code: 403,
      reason: 'no_rate_for_destination',
    });
  });

  it('the daily spend limit refuses a postpaid call once reached', async () => {
    const w = world({ mode: 'postpaid', credit_limit: null, daily_spend_limit: '1' });
    expect(await w.decide('before')).toMatchObject({ action: 'route' });
    expect(await w.decide('before')).not.toHaveProperty('max_duration_s');
    await chargeCall(store, {
      customerId: w.customerId,
      cdrId: 'cdr-spend',
      callId: 'before',
      amount: '1',
      currency: 'USD',
      day: '2026-12-05',
      at: '2026-12-05T09:00:00.000Z',
    });
    expect(await w.decide('after')).toMatchObject({
      action: 'reject',
      code: 403,
      reason: 'daily_spend_limit',
    });
  });

  it('a postpaid customer without limits never touches its account', async () => {
    const w = world({ mode: 'postpaid', credit_limit: null, daily_spend_limit: null });
    expect(await w.decide('free')).toMatchObject({ action: 'route' });
    expect((await readAccount(store, w.customerId, NOW)).version).toBe(0);
  });

  it('a postpaid credit limit counts below zero', async () => {
    const w = world({ mode: 'postpaid', credit_limit: '0.05', daily_spend_limit: null });
    expect(await w.decide('limit-1')).toMatchObject({ action: 'route', max_duration_s: 3 });
    expect(await w.decide('limit-2')).toMatchObject({ action: 'reject', reason: 'insufficient_credit' });
  });
});
