import { Big } from 'big.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cdr } from '../../contract/cdr';
import { cdrRecord } from '../../contract/cdr.fixture';
import { CDR_CSV_COLUMNS } from '../../functions/cdr/csv';
import { listMovements, readAccount } from '../../functions/store/credit';
import { apiHarness, type Json } from '../api/api-fixture';

// Rating at ingestion, the exactly-once charge and re-rating, through the API on DynamoDB Local.
const RELAY = 'relay-token-for-rating-tests-01';
type H = Awaited<ReturnType<typeof apiHarness>>;

/** The worked example of docs/billing.md: a 47.3 s call to London. */
const BUY = 'prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s\n+44,0.008,0,1,1,0\n';
const SELL =
  'prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from\n' +
  '+4420,0.015,0.02,30,6,0,\n' +
  // Scheduled: applies to calls that start at or after midnight of 10 December, imported before.
  '+4420,0.5,0,60,60,0,2026-12-10T00:00:00Z\n';

describe('rated CDRs on DynamoDB Local', () => {
  let h: H;
  let providerId: string;
  let planId: string;
  let customerId: string;

  const importDeck = async (owner: string, csv: string) => {
    const res = await h.call('POST', `/v1/rates?${owner}`, { raw: csv, contentType: 'text/csv' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  /** A call to London from `customerId`, answered by `providerId` after 2 s and lasting 47.3 s more. */
  const call = (at: string, extra: Partial<Cdr> = {}) => {
    const invite = Date.parse(at);
    return cdrRecord({
      at,
      providerId,
      customer_id: customerId,
      callee: '+442079460000',
      tm_answer: new Date(invite + 2_000).toISOString(),
      tm_end: new Date(invite + 49_300).toISOString(),
      ...extra,
    });
  };

  const answered = call('2026-12-05T10:00:00.000Z');
  const busy = (() => {
    const r = call('2026-12-05T11:00:00.000Z', {
      final_code: 486,
      reason: 'Busy Here',
      tm_answer: null,
      tm_end: '2026-12-05T11:00:04.000Z',
      end_by: null,
      end_reason: null,
    });
    r.attempts = [{ ...r.attempts[0]!, code: 486, tm_end: '2026-12-05T11:00:04.000Z' }];
    return r;
  })();
  let beforeMidnight: Cdr;
  let atMidnight: Cdr;

  beforeAll(async () => {
    h = await apiHarness({ decision: { relayToken: RELAY }, cdrLog: () => {} });
    const provider = await h.call('POST', '/v1/providers', {
      body: { name: 'London carrier', hostname: 'sip.london.example', currency: 'EUR' },
    });
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    providerId = provider.body.id;
    const plan = await h.call('POST', '/v1/rate-plans', { body: { name: 'retail', currency: 'USD' } });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    planId = plan.body.id;
    await importDeck(`provider_id=${providerId}`, BUY);
    await importDeck(`rate_plan_id=${planId}`, SELL);
    const customer = await h.call('POST', '/v1/customers', {
      body: { name: 'Rated Co', rate_plan_id: planId },
    });
    expect(customer.status, JSON.stringify(customer.body)).toBe(201);
    customerId = customer.body.id;
    // Built after the ids exist: the fixture's provider and customer are this test's.
    Object.assign(answered, call(answered.tm_invite, { id: answered.id, call_id: answered.call_id }));
    busy.customer_id = customerId;
    busy.attempts = [{ ...busy.attempts[0]!, target_id: providerId }];
    beforeMidnight = call('2026-12-09T23:59:59.999Z');
    atMidnight = call('2026-12-10T00:00:00.000Z');
  });

  const rerate = (query: string, key?: string) =>
    h.call('POST', `/v1/cdrs/rerate?${query}`, { body: {}, ...(key ? { key } : {}) });
  const post = (cdrs: Cdr[]) => h.call('POST', '/v1/cdrs', { body: { cdrs }, key: RELAY });
  const get = async (id: string): Promise<Json> => (await h.call('GET', `/v1/cdrs/${id}`)).body;
  const account = () => readAccount(h.store, customerId, Date.parse('2026-12-05T12:00:00Z'));

  it('rates each stored record: cost from the answering provider deck, price from the customer plan', async () => {
    const res = await post([answered, busy, beforeMidnight, atMidnight]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const got = await get(answered.id);
    expect(got.rating).toEqual({
      provider_id: providerId,
      cost: {
        prefix: '+44',
        rate: '0.008',
        connect_fee: '0',
        first_increment_s: 1,
        next_increment_s: 1,
        minimum_s: 0,
        effective_from: null,
        amount: '0.0064',
        currency: 'EUR',
        billed_s: 48,
      },
      cost_unrated_reason: null,
      rate_plan_id: planId,
      price: {
        prefix: '+4420',
        rate: '0.015',
        connect_fee: '0.02',
        first_increment_s: 30,
        next_increment_s: 6,
        minimum_s: 0,
        effective_from: null,
        amount: '0.032',
        currency: 'USD',
        billed_s: 48,
      },
      price_unrated_reason: null,
    });
    // The record itself is as the relay sent it.
    const { rating: _rating, ...record } = got;
    expect(record).toEqual(answered);

    const unanswered = (await get(busy.id)).rating;
    expect(unanswered).toMatchObject({ cost: null, cost_unrated_reason: 'not_answered' });
    expect(unanswered.price).toMatchObject({ amount: '0', billed_s: 0, currency: 'USD' });

    // The line in force at the INVITE: the change scheduled for midnight rates the call that
    // starts at midnight, not the one a millisecond before (which ends after it).
    expect((await get(beforeMidnight.id)).rating.price).toMatchObject({ rate: '0.015', amount: '0.032' });
    expect((await get(atMidnight.id)).rating.price).toMatchObject({
      rate: '0.5',
      effective_from: '2026-12-10T00:00:00.000Z',
      amount: '0.5',
    });
  });

  it('shows the rating in lists and the CSV export', async () => {
    const list = await h.call('GET', `/v1/cdrs?from=2026-12-05&to=2026-12-06&customer_id=${customerId}`);
    expect(list.status).toBe(200);
    const byId = new Map(list.body.result.map((r: Json) => [r.id, r]));
    expect((byId.get(answered.id) as Json).rating.cost.amount).toBe('0.0064');
    const csv = await h.call(
      'GET',
      `/v1/cdrs/export?from=2026-12-05&to=2026-12-06&customer_id=${customerId}`,
    );
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]!.split(',')).toEqual(CDR_CSV_COLUMNS);
    const row = lines.find((l) => l.startsWith(answered.id))!.split(',');
    expect(row.slice(-4)).toEqual(['0.0064', 'EUR', '0.032', 'USD']);
    const busyRow = lines.find((l) => l.startsWith(busy.id))!.split(',');
    expect(busyRow.slice(-4)).toEqual(['', '', '0', 'USD']);

    // By provider: only the calls it answered (what it bills), not the busy attempt.
    const billed = await h.call(
      'GET',
      `/v1/cdrs/export?from=2026-12-05&to=2026-12-06&answered_by=${providerId}`,
    );
    expect(billed.status).toBe(200);
    const ids = (billed.body as string)
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    expect(ids).toEqual([answered.id]);
  });

  it("shows a customer key its price but not the buy side; filtering by provider is the operator's", async () => {
    const key = await h.customerKey(customerId);
    const hidden = { provider_id: null, cost: null, cost_unrated_reason: null };
    const own = await h.call('GET', `/v1/cdrs/${answered.id}`, { key });
    expect(own.status).toBe(200);
    expect(own.body.rating).toEqual({
      ...hidden,
      rate_plan_id: planId,
      price: expect.objectContaining({ amount: '0.032', currency: 'USD', prefix: '+4420' }),
      price_unrated_reason: null,
    });
    // The operator reads the same record with its cost.
    expect((await get(answered.id)).rating).toMatchObject({
      provider_id: providerId,
      cost: { amount: '0.0064', currency: 'EUR' },
    });
    // An unanswered call hides why it has no cost too.
    expect((await h.call('GET', `/v1/cdrs/${busy.id}`, { key })).body.rating).toMatchObject(hidden);

    const list = await h.call('GET', '/v1/cdrs?from=2026-12-05&to=2026-12-06', { key });
    expect(list.status).toBe(200);
    expect(list.body.result.map((r: Json) => r.id).sort()).toEqual([answered.id, busy.id].sort());
    for (const record of list.body.result) expect(record.rating).toMatchObject(hidden);

    const csv = await h.call('GET', '/v1/cdrs/export?from=2026-12-05&to=2026-12-06', { key });
    expect(csv.status).toBe(200);
    const row = (csv.body as string)
      .trim()
      .split('\r\n')
      .find((l) => l.startsWith(answered.id))!
      .split(',');
    expect(row.slice(-4)).toEqual(['', '', '0.032', 'USD']);

    // Which provider carried the calls is not a customer's question: 403 naming the field.
    const byAttempt = await h.call(
      'GET',
      `/v1/cdrs?from=2026-12-05&to=2026-12-06&provider_id=${providerId}`,
      {
        key,
      },
    );
    expect(byAttempt.status).toBe(403);
    expect(byAttempt.body.errors.map((e: Json) => e.field)).toEqual(['provider_id']);
    const byAnswer = await h.call(
      'GET',
      `/v1/cdrs/export?from=2026-12-05&to=2026-12-06&answered_by=${providerId}`,
      { key },
    );
    expect(byAnswer.status).toBe(403);
    expect(byAnswer.body.errors.map((e: Json) => e.field)).toEqual(['answered_by']);
    // The list's `provider_id` (any attempt) is no parameter of the export: refused, not ignored.
    const oldName = await h.call(
      'GET',
      `/v1/cdrs/export?from=2026-12-05&to=2026-12-06&provider_id=${providerId}`,
    );
    expect(oldName.status).toBe(400);
    expect(oldName.body.errors.map((e: Json) => e.field)).toEqual(['provider_id']);
  });

  it('charges each record once: the same batch sent again moves nothing', async () => {
    const charged = { balance: '-0.564', spendToday: '0.032' };
    expect(await account()).toMatchObject(charged);
    const movements = (await listMovements(h.store, customerId, 100)).items;
    // One movement per priced call; the unanswered one is charged 0 (its hold released) without one.
    expect(movements.map((m) => m.cdr_id).sort()).toEqual(
      [answered.id, beforeMidnight.id, atMidnight.id].sort(),
    );
    expect((await post([answered, busy, beforeMidnight, atMidnight])).status).toBe(200);
    expect((await post([atMidnight])).status).toBe(200);
    expect(await account()).toMatchObject(charged);
    expect((await listMovements(h.store, customerId, 100)).items).toHaveLength(3);
    // And rated the same.
    expect((await get(atMidnight.id)).rating.price.amount).toBe('0.5');
  });

  it('re-rates a period after a deck change: rewrites the ratings that changed and reports the differences', async () => {
    // The plan replaced: one line, no scheduled change any more.
    await importDeck(
      `rate_plan_id=${planId}`,
      'prefix,rate,connect_fee,first_increment_s,next_increment_s\n+4420,0.03,0.02,30,6\n',
    );
    const res = await rerate(`from=2026-12-01&to=2026-12-31&customer_id=${customerId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const report = res.body;
    // 0.02 + 0.03 × 48 / 60 = 0.044 for each answered call; the unanswered one is still 0, on the new line.
    expect(report).toMatchObject({
      customer_id: customerId,
      examined: 4,
      changed: 4,
      cost_delta: {},
      price_delta: { USD: '-0.432' },
      customers: [{ customer_id: customerId, price_delta: { USD: '-0.432' } }],
      changes_truncated: false,
      complete: true,
      next_to: null,
    });
    const change = report.changes.find((c: Json) => c.id === atMidnight.id);
    expect(change).toEqual({
      id: atMidnight.id,
      customer_id: customerId,
      tm_invite: atMidnight.tm_invite,
      cost_before: { amount: '0.0064', currency: 'EUR' },
      cost_after: { amount: '0.0064', currency: 'EUR' },
      price_before: { amount: '0.5', currency: 'USD' },
      price_after: { amount: '0.044', currency: 'USD' },
    });
    expect((await get(atMidnight.id)).rating.price).toMatchObject({ rate: '0.03', amount: '0.044' });
    // Balances do not move: the report says what a correction would be.
    expect(await account()).toMatchObject({ balance: '-0.564' });
    // Nothing changed since: a second run finds nothing to rewrite.
    const again = await rerate(`from=2026-12-01&to=2026-12-31&customer_id=${customerId}`);
    expect(again.body).toMatchObject({ examined: 4, changed: 0, changes: [], price_delta: {} });
  });

  it('re-rates for the operator only, over at most 31 days', async () => {
    const tooLong = await rerate('from=2026-11-01&to=2026-12-31');
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors.map((e: { field: string }) => e.field)).toEqual(['to']);
    const missing = await rerate('from=2026-12-01');
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['to']);
    const key = await h.customerKey(customerId);
    const refused = await rerate('from=2026-12-01&to=2026-12-31', key);
    expect(refused.status).toBe(403);
    const withFields = await h.call('POST', '/v1/cdrs/rerate?from=2026-12-01&to=2026-12-31', {
      body: { customer_id: customerId },
    });
    expect(withFields.status).toBe(400);
  });

  it('charges a batch of 60 records of one customer: sent twice and overlapping in parallel, each once', async () => {
    // Its own plan: 0.06 a minute in whole minutes, so each call of 47.3 s costs 0.06.
    const plan = await h.call('POST', '/v1/rate-plans', { body: { name: 'per minute', currency: 'USD' } });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    await importDeck(
      `rate_plan_id=${plan.body.id}`,
      'prefix,rate,first_increment_s,next_increment_s\n+44,0.06,60,60\n',
    );
    const customer = await h.call('POST', '/v1/customers', {
      body: { name: 'Busy Co', rate_plan_id: plan.body.id },
    });
    expect(customer.status, JSON.stringify(customer.body)).toBe(201);
    const id = customer.body.id;
    // 45 calls on 6 December, 45 on the 7th, a minute apart.
    const records = Array.from({ length: 90 }, (_, i) =>
      call(new Date(Date.parse('2026-12-06T23:15:00.000Z') + i * 60_000).toISOString(), { customer_id: id }),
    );
    const state = async () => ({
      balance: (await readAccount(h.store, id, Date.parse('2026-12-06T12:00:00Z'))).balance,
      spend6: (await readAccount(h.store, id, Date.parse('2026-12-06T12:00:00Z'))).spendToday,
      spend7: (await readAccount(h.store, id, Date.parse('2026-12-07T12:00:00Z'))).spendToday,
      moves: (await listMovements(h.store, id, 200)).items,
    });
    const each = new Big('0.06');

    const first = records.slice(0, 60);
    expect((await post(first)).status).toBe(200);
    const after = await state();
    expect(after).toMatchObject({ balance: '-3.6', spend6: '2.7', spend7: '0.9' });
    // One movement per record, newest first, the balance after each in the order charged.
    expect(after.moves.map((m) => [m.cdr_id, m.amount, m.balance_after])).toEqual(
      first.map((r, i) => [r.id, '-0.06', each.times(-(i + 1)).toString()]).reverse(),
    );
    // The same batch again: nothing moves.
    expect((await post(first)).status).toBe(200);
    expect(await state()).toEqual(after);

    // Two overlapping batches at once: records 30–89 and 45–89 (30 of them new to both).
    const [a, b] = await Promise.all([post(records.slice(30)), post(records.slice(45))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const end = await state();
    expect(end).toMatchObject({ balance: '-5.4', spend6: '2.7', spend7: '2.7' });
    expect(end.moves.map((m) => m.cdr_id).sort()).toEqual(records.map((r) => r.id).sort());
  });

  it('keeps the stored rating of a record sent again: after a deck change, and after a re-rating', async () => {
    const plan = await h.call('POST', '/v1/rate-plans', { body: { name: 'changing', currency: 'USD' } });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const perMinute = (rate: string) =>
      importDeck(
        `rate_plan_id=${plan.body.id}`,
        `prefix,rate,first_increment_s,next_increment_s\n+44,${rate},60,60\n`,
      );
    await perMinute('0.06');
    const customer = await h.call('POST', '/v1/customers', {
      body: { name: 'Resending Co', rate_plan_id: plan.body.id },
    });
    expect(customer.status, JSON.stringify(customer.body)).toBe(201);
    const id = customer.body.id;
    const record = call('2026-12-12T10:00:00.000Z', { customer_id: id });
    const charged = async () => ({
      balance: (await readAccount(h.store, id, Date.parse('2026-12-12T12:00:00Z'))).balance,
      moves: (await listMovements(h.store, id, 10)).items.map((m) => [m.cdr_id, m.amount]),
    });
    expect((await post([record])).status).toBe(200);
    expect((await get(record.id)).rating.price).toMatchObject({ rate: '0.06', amount: '0.06' });
    const first = { balance: '-0.06', moves: [[record.id, '-0.06']] };
    expect(await charged()).toEqual(first);

    await perMinute('0.12');
    // Ingestion sees the new deck: a new (unanswered, so free) record is rated on it.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = call('2026-12-12T11:00:00.000Z', {
        customer_id: id,
        final_code: 486,
        reason: 'Busy Here',
        tm_answer: null,
        tm_end: '2026-12-12T11:00:04.000Z',
        end_by: null,
        end_reason: null,
      });
      probe.attempts = [{ ...probe.attempts[0]!, code: 486, tm_end: probe.tm_end }];
      expect((await post([probe])).status).toBe(200);
      if ((await get(probe.id)).rating.price?.rate === '0.12') break;
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Sent again: rated and charged as the first time.
    expect((await post([record])).status).toBe(200);
    expect((await get(record.id)).rating.price).toMatchObject({ rate: '0.06', amount: '0.06' });
    expect(await charged()).toEqual(first);

    // Re-rated on the new deck, then sent again: the re-rating stays; the charge does not move.
    const rerated = await rerate(`from=2026-12-12&to=2026-12-13&customer_id=${id}`);
    expect(rerated.status, JSON.stringify(rerated.body)).toBe(200);
    expect(rerated.body.price_delta).toEqual({ USD: '0.06' });
    expect((await post([record])).status).toBe(200);
    expect((await get(record.id)).rating.price).toMatchObject({ rate: '0.12', amount: '0.12' });
    expect(await charged()).toEqual(first);
  });
});
