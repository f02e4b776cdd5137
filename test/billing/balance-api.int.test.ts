import { beforeAll, describe, expect, it } from 'vitest';
import { chargeCall } from '../../functions/store/credit';
import { ADMIN_KEY, apiHarness, type Json } from '../api/api-fixture';

describe('GET/POST /v1/customers/{id}/balance', () => {
  let h: Awaited<ReturnType<typeof apiHarness>>;
  let prepaid: string;
  let other: string;
  let prepaidKey: string;
  let planId: string;

  /** `call` with extra headers (Idempotency-Key). */
  async function send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    key = ADMIN_KEY,
  ) {
    const res = await h.app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
  }

  beforeAll(async () => {
    h = await apiHarness();
    const plan = await h.call('POST', '/v1/rate-plans', { body: { name: 'retail' } });
    expect(plan.status).toBe(201);
    planId = plan.body.id;
    const a = await h.call('POST', '/v1/customers', {
      body: { name: 'prepaid', billing: { mode: 'prepaid', daily_spend_limit: '20' }, rate_plan_id: planId },
    });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body.billing).toEqual({ mode: 'prepaid', daily_spend_limit: '20' });
    prepaid = a.body.id;
    other = (await h.call('POST', '/v1/customers', { body: { name: 'other' } })).body.id;
    prepaidKey = await h.customerKey(prepaid);
  });

  it('a customer without billing reads postpaid without limits', async () => {
    const res = await h.call('GET', `/v1/customers/${other}`);
    expect(res.body.billing).toEqual({ mode: 'postpaid', credit_limit: null, daily_spend_limit: null });
  });

  it('refuses a bad billing, naming the field', async () => {
    const bad = await h.call('POST', '/v1/customers', {
      body: { name: 'x', billing: { mode: 'postpaid', credit_limit: '1.1234567' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: Json) => e.field)).toContain('billing.credit_limit');
    const mode = await h.call('POST', '/v1/customers', { body: { name: 'x', billing: { mode: 'credit' } } });
    expect(mode.status).toBe(400);
    expect(mode.body.errors.map((e: Json) => e.field)).toContain('billing.mode');
    // A credit limit means nothing to a prepaid customer: refused, not dropped.
    const prepaidLimit = await h.call('POST', '/v1/customers', {
      body: { name: 'x', billing: { mode: 'prepaid', credit_limit: '10' }, rate_plan_id: planId },
    });
    expect(prepaidLimit.status).toBe(400);
    expect(prepaidLimit.body.errors.map((e: Json) => e.field)).toContain('billing.credit_limit');
    // The balance is no field of the customer.
    const balance = await h.call('POST', '/v1/customers', { body: { name: 'x', balance: '100' } });
    expect(balance.status).toBe(400);
    expect(balance.body.errors.map((e: Json) => e.field)).toContain('balance');
  });

  it('refuses credit control without a rate plan (nothing would be charged), naming rate_plan_id', async () => {
    const fields = (res: { status: number; body: Json }) => {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      return res.body.errors.map((e: Json) => e.field);
    };
    const controlled = [
      { mode: 'prepaid', daily_spend_limit: null },
      { mode: 'postpaid', credit_limit: '50', daily_spend_limit: null },
      { mode: 'postpaid', credit_limit: null, daily_spend_limit: '10' },
    ];
    for (const billing of controlled) {
      const res = await h.call('POST', '/v1/customers', { body: { name: 'x', billing } });
      expect(fields(res)).toEqual(['rate_plan_id']);
      expect(res.body.errors[0].message).toContain('credit control needs a rate plan');
    }
    // Postpaid without limits needs none.
    const plain = await h.call('POST', '/v1/customers', {
      body: { name: 'x', billing: { mode: 'postpaid', credit_limit: null, daily_spend_limit: null } },
    });
    expect(plain.status).toBe(201);
    // PATCH: adding a limit to a customer without a plan, or removing the plan of a prepaid one.
    const patch = (id: string, body: Json) => h.call('PATCH', `/v1/customers/${id}`, { body });
    expect(fields(await patch(plain.body.id, { billing: controlled[2] }))).toEqual(['rate_plan_id']);
    expect(fields(await patch(prepaid, { rate_plan_id: null }))).toEqual(['rate_plan_id']);
    const put = await h.call('PUT', `/v1/customers/${prepaid}`, {
      body: { name: 'prepaid', billing: { mode: 'prepaid', daily_spend_limit: '20' } },
    });
    expect(fields(put)).toEqual(['rate_plan_id']);
    expect((await h.call('GET', `/v1/customers/${prepaid}`)).body).toMatchObject({
      rate_plan_id: planId,
      billing: { mode: 'prepaid' },
    });
    // Both in one PATCH is fine.
    const both = await patch(plain.body.id, { billing: controlled[0], rate_plan_id: planId });
    expect(both.status, JSON.stringify(both.body)).toBe(200);
  });

  it('credits with an audit trail; a retried request with the same Idempotency-Key credits once', async () => {
    const first = await send(
      'POST',
      `/v1/customers/${prepaid}/balance`,
      { amount: '10.5', note: 'top-up' },
      {
        'idempotency-key': 'topup-1',
      },
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      balance: '10.5',
      movement: { kind: 'credit', amount: '10.5', by: 'operator' },
    });
    const again = await send(
      'POST',
      `/v1/customers/${prepaid}/balance`,
      { amount: '10.5', note: 'top-up' },
      {
        'idempotency-key': 'topup-1',
      },
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.movement).toEqual(first.body.movement);
    const reused = await send(
      'POST',
      `/v1/customers/${prepaid}/balance`,
      { amount: '11', note: 'top-up' },
      {
        'idempotency-key': 'topup-1',
      },
    );
    expect(reused.status).toBe(409);

    const debit = await send('POST', `/v1/customers/${prepaid}/balance`, {
      amount: '-0.5',
      note: 'correction',
    });
    expect(debit.body).toMatchObject({ balance: '10', movement: { kind: 'debit', amount: '-0.5' } });
    await chargeCall(h.store, {
      customerId: prepaid,
      cdrId: 'cdr-1',
      callId: 'call-1',
      amount: '0.25',
      currency: 'EUR',
      day: new Date().toISOString().slice(0, 10),
      at: new Date(Date.now() + 1000).toISOString(),
    });

    const res = await send('GET', `/v1/customers/${prepaid}/balance?page_size=2`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      customer_id: prepaid,
      mode: 'prepaid',
      balance: '9.75',
      held: '0',
      available: '9.75',
      credit_limit: null,
      spend_today: '0.25',
      daily_spend_limit: '20',
      currency: 'EUR',
    });
    expect(res.body.movements.map((m: Json) => [m.kind, m.amount, m.balance_after])).toEqual([
      ['call', '-0.25', '9.75'],
      ['debit', '-0.5', '10'],
    ]);
    const next = await send(
      'GET',
      `/v1/customers/${prepaid}/balance?page_size=2&page_token=${res.body.next_page_token}`,
    );
    expect(next.body.movements.map((m: Json) => m.note)).toEqual(['top-up']);
    expect(next.body.next_page_token).toBe('');
  });

  it('400 naming the field for a bad amount or key', async () => {
    for (const amount of ['1.1234567', 'ten', 10, '0', '']) {
      const res = await send('POST', `/v1/customers/${prepaid}/balance`, { amount, note: 'x' });
      expect(res.status, String(amount)).toBe(400);
      expect(res.body.errors.map((e: Json) => e.field)).toContain('amount');
    }
    const noNote = await send('POST', `/v1/customers/${prepaid}/balance`, { amount: '1' });
    expect(noNote.body.errors.map((e: Json) => e.field)).toContain('note');
    const key = await send(
      'POST',
      `/v1/customers/${prepaid}/balance`,
      { amount: '1', note: 'x' },
      {
        'idempotency-key': 'a b',
      },
    );
    expect(key.status).toBe(400);
    expect(key.body.errors.map((e: Json) => e.field)).toContain('Idempotency-Key');
  });

  it('404 for an unknown customer', async () => {
    const unknown = '3f1c2a8e-0000-4000-8000-000000000000';
    expect((await send('GET', `/v1/customers/${unknown}/balance`)).status).toBe(404);
    expect((await send('POST', `/v1/customers/${unknown}/balance`, { amount: '1', note: 'x' })).status).toBe(
      404,
    );
  });

  it('a customer key reads its own balance only and never moves it', async () => {
    const own = await send('GET', `/v1/customers/${prepaid}/balance`, undefined, {}, prepaidKey);
    expect(own.status).toBe(200);
    expect((await send('GET', `/v1/customers/${other}/balance`, undefined, {}, prepaidKey)).status).toBe(404);
    const post = await send(
      'POST',
      `/v1/customers/${prepaid}/balance`,
      { amount: '100', note: 'free' },
      {},
      prepaidKey,
    );
    expect(post.status).toBe(403);
    const postOther = await send(
      'POST',
      `/v1/customers/${other}/balance`,
      { amount: '1', note: 'x' },
      {},
      prepaidKey,
    );
    expect(postOther.status).toBe(404);
  });
});
