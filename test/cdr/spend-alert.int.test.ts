import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cdr } from '../../contract/cdr';
import { cdrRecord } from '../../contract/cdr.fixture';
import { type AlertEvent, alertNotSent, dueAlerts, putAlert } from '../../functions/store/alert-outbox';
import { keys } from '../../functions/store/keys';
import { apiHarness } from '../api/api-fixture';
import { freshStore } from '../api/store-fixture';

// The daily spend alert: written once per customer and UTC day, POSTed to a real HTTP receiver,
// signed, retried after a 500, never sent twice.
const RELAY = 'relay-token-for-alert-tests-012';
const SECRET = 'alert-webhook-secret-0123456789';

type Received = { headers: Record<string, string | string[] | undefined>; body: string; status: number };

/** A webhook receiver that answers 500 to its first request, then 200; it keeps every request. */
async function receiver() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = received.length === 0 ? 500 : 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/tandem`, received, close: () => server.close() };
}

/** What a receiver does with `Tandem-Signature: t=…,v1=…`: HMAC-SHA256 of `t.body`, compared in constant time. */
function verifies(header: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const expected = createHmac('sha256', SECRET).update(`${parts['t']}.${body}`).digest();
  const given = Buffer.from(parts['v1'] ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function until<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('daily spend alert webhook', () => {
  let hook: Awaited<ReturnType<typeof receiver>>;
  let h: Awaited<ReturnType<typeof apiHarness>>;
  let providerId: string;

  /** A customer on a plan of 0.6 per minute (0.01 a second), with a daily spend limit. */
  async function customer(limit: string): Promise<string> {
    const plan = await h.call('POST', '/v1/rate-plans', { body: { name: `plan ${limit}`, currency: 'USD' } });
    expect(plan.status).toBe(201);
    const deck = await h.call('POST', `/v1/rates?rate_plan_id=${plan.body.id}`, {
      raw: 'prefix,rate,connect_fee,first_increment_s,next_increment_s\n+82,0.6,0,1,1\n',
      contentType: 'text/csv',
    });
    expect(deck.status).toBe(200);
    const res = await h.call('POST', '/v1/customers', {
      body: {
        name: `spender ${limit}`,
        rate_plan_id: plan.body.id,
        billing: { mode: 'postpaid', credit_limit: null, daily_spend_limit: limit },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  }

  /** An answered 3 s call (0.03) of a customer on 5 December. */
  const call = (customerId: string, at: string): Cdr => {
    const invite = Date.parse(at);
    return cdrRecord({
      at,
      customer_id: customerId,
      providerId,
      tm_answer: new Date(invite + 1_000).toISOString(),
      tm_end: new Date(invite + 4_000).toISOString(),
    });
  };
  const post = (cdrs: Cdr[]) => h.call('POST', '/v1/cdrs', { body: { cdrs }, key: RELAY });
  const alertsOf = (customerId: string) =>
    hook.received.filter((r) => JSON.parse(r.body).customer_id === customerId);

  beforeAll(async () => {
    hook = await receiver();
    h = await apiHarness({
      decision: { relayToken: RELAY },
      cdrLog: () => {},
      alertWebhook: { url: hook.url, secret: SECRET },
    });
    const provider = await h.call('POST', '/v1/providers', {
      body: { name: 'carrier', hostname: 'sip.example' },
    });
    providerId = provider.body.id;
  });
  afterAll(() => hook?.close());

  it('alerts once when the day spend reaches the limit: signed, retried after a 500, not sent again', async () => {
    const spender = await customer('0.05');
    // 0.03: below the limit, no alert.
    expect((await post([call(spender, '2026-12-05T08:00:00.000Z')])).status).toBe(200);
    // 0.06: the limit is reached. The answer does not wait for the webhook.
    expect((await post([call(spender, '2026-12-05T09:00:00.000Z')])).status).toBe(200);
    const stored = await h.store.doc.send(
      new GetCommand({
        TableName: h.store.tableName,
        Key: keys.alert('daily_spend_limit', `${spender}#2026-12-05`),
      }),
    );
    expect(stored.Item?.['doc']).toMatchObject({ customer_id: spender, day: '2026-12-05' });

    const [failed, delivered] = await until(
      () => alertsOf(spender),
      (r) => r.length >= 2,
      'the retried alert',
    );
    expect(failed!.status).toBe(500);
    expect(delivered!.status).toBe(200);
    expect(delivered!.body).toBe(failed!.body);
    const event = JSON.parse(delivered!.body);
    expect(event).toEqual({
      id: expect.any(String),
      type: 'daily_spend_limit',
      at: expect.any(String),
      customer_id: spender,
      day: '2026-12-05',
      spend: '0.06',
      daily_spend_limit: '0.05',
      currency: 'USD',
    });
    expect(delivered!.headers['content-type']).toBe('application/json');
    expect(delivered!.headers['tandem-event-id']).toBe(event.id);
    expect(verifies(String(delivered!.headers['tandem-signature']), delivered!.body)).toBe(true);
    expect(
      verifies(String(delivered!.headers['tandem-signature']), delivered!.body.replace('0.06', '0.01')),
    ).toBe(false);
    await until(
      async () =>
        (
          await h.store.doc.send(
            new GetCommand({
              TableName: h.store.tableName,
              Key: keys.alert('daily_spend_limit', `${spender}#2026-12-05`),
            }),
          )
        ).Item?.['state'],
      (state) => state === 'sent',
      'the alert marked sent',
    );

    // More spend the same day: no second alert. Another customer's alert, sent after, shows the
    // webhook ran since.
    expect((await post([call(spender, '2026-12-05T10:00:00.000Z')])).status).toBe(200);
    const other = await customer('0.02');
    expect((await post([call(other, '2026-12-05T11:00:00.000Z')])).status).toBe(200);
    await until(
      () => alertsOf(other),
      (r) => r.some((x) => x.status === 200),
      "the other customer's alert",
    );
    expect(alertsOf(spender)).toHaveLength(2);
    // The next day starts again.
    expect(
      (await post([call(spender, '2026-12-06T08:00:00.000Z'), call(spender, '2026-12-06T09:00:00.000Z')]))
        .status,
    ).toBe(200);
    const nextDay = await until(
      () => alertsOf(spender).filter((r) => JSON.parse(r.body).day === '2026-12-06'),
      (r) => r.length >= 1,
      'the next day alert',
    );
    expect(nextDay).toHaveLength(1);
  });
});

describe('the alert outbox', () => {
  it('finds the due alerts behind more than a page of alerts waiting for a later retry', async () => {
    const store = await freshStore();
    const event = (subject: string, at: string): AlertEvent => ({
      id: subject,
      type: 'daily_spend_limit',
      at,
      customer_id: subject,
      day: at.slice(0, 10),
      spend: '1',
      daily_spend_limit: '1',
      currency: 'USD',
    });
    // 150 older alerts, each failed once and rescheduled for the next day: pending, not due.
    const later = Date.parse('2026-12-06T00:00:00.000Z');
    const waiting = Array.from({ length: 150 }, (_, i) => `waiting-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < waiting.length; i += 25) {
      await Promise.all(
        waiting.slice(i, i + 25).map(async (subject) => {
          const key = keys.alert('daily_spend_limit', subject);
          expect(await putAlert(store, key, event(subject, '2026-12-05T08:00:00.000Z'), true)).toBe(true);
          expect(await alertNotSent(store, key, 'HTTP 500', later)).toBe(true);
        }),
      );
    }
    // Raised after them, due now: it sorts behind all of them in the pending index.
    await putAlert(
      store,
      keys.alert('daily_spend_limit', 'due'),
      event('due', '2026-12-05T09:00:00.000Z'),
      true,
    );
    const now = Date.parse('2026-12-05T09:00:01.000Z');
    expect((await dueAlerts(store, now)).map((a) => a.event.id)).toEqual(['due']);
    // Once the retries are due, `limit` caps the answer, oldest first.
    const next = await dueAlerts(store, later, 3);
    expect(next.map((a) => a.event.id)).toEqual(waiting.slice(0, 3));
  });
});
