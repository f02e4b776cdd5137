import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cdr } from '../../contract/cdr';
import { cdrRecord } from '../../contract/cdr.fixture';
import { keys } from '../../functions/store';
import { ADMIN_KEY, apiHarness } from '../api/api-fixture';

const RELAY = 'relay-token-for-cdr-tests-0123';
type H = Awaited<ReturnType<typeof apiHarness>>;

describe('POST /v1/cdrs on DynamoDB Local', () => {
  let h: H;
  let customerId: string;
  let customerKey: string;
  const post = (cdrs: unknown[], key: string | null = RELAY) =>
    h.call('POST', '/v1/cdrs', { body: { cdrs }, key });
  const range = 'from=2026-12-01&to=2026-12-31';

  /** Every CDR item in the table, straight from DynamoDB. */
  async function storedIds(): Promise<string[]> {
    const out = await h.store.doc.send(
      new ScanCommand({
        TableName: h.store.tableName,
        FilterExpression: 'kind = :k',
        ExpressionAttributeValues: { ':k': 'cdr' },
      }),
    );
    return (out.Items ?? []).map((i) => (i['doc'] as Cdr).id).sort();
  }

  /** Every id the operator's list shows for December 2026 (all pages). */
  async function listedIds(query = ''): Promise<string[]> {
    const ids: string[] = [];
    let token = '';
    do {
      const res = await h.call(
        'GET',
        `/v1/cdrs?${range}&page_size=7${query}${token ? `&page_token=${token}` : ''}`,
      );
      expect(res.status).toBe(200);
      ids.push(...res.body.result.map((r: Cdr) => r.id));
      token = res.body.next_page_token;
    } while (token);
    return ids;
  }

  beforeAll(async () => {
    h = await apiHarness({ decision: { relayToken: RELAY }, cdrLog: () => {} });
    customerId = (await h.call('POST', '/v1/customers', { body: { name: 'Billing Co' } })).body.id;
    customerKey = await h.customerKey(customerId);
  });

  it('stores a batch: 200 once written, each record readable by id as sent', async () => {
    const records = Array.from({ length: 30 }, (_, i) =>
      cdrRecord({ customer_id: customerId, at: `2026-12-05T10:00:${String(i).padStart(2, '0')}.000Z` }),
    );
    const res = await post(records);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 30 });
    const got = await h.call('GET', `/v1/cdrs/${records[7]!.id}`);
    expect(got.status).toBe(200);
    // The record as sent and its rating: the customer has no rate plan, the provider no deck.
    expect(got.body).toEqual({
      ...records[7],
      rating: {
        provider_id: records[7]!.attempts[0]!.target_id,
        cost: null,
        cost_unrated_reason: 'no_deck',
        rate_plan_id: null,
        price: null,
        price_unrated_reason: 'no_rate_plan',
      },
    });
    // The contract's field order, not DynamoDB's, then the rating.
    expect(Object.keys(got.body)).toEqual([...Object.keys(records[7]!), 'rating']);
  });

  it('stores a record once however often it is sent: the same batch twice, overlapping batches, repeats inside one', async () => {
    const before = (await storedIds()).length;
    const records = Array.from({ length: 15 }, (_, i) =>
      cdrRecord({ customer_id: customerId, at: `2026-12-06T08:00:${String(i).padStart(2, '0')}.000Z` }),
    );
    const first = records.slice(0, 10);
    expect((await post(first)).status).toBe(200);
    expect((await post(first)).status).toBe(200);
    const overlap = await post([...records.slice(5, 15), records[5]!, records[6]!]);
    expect(overlap.body).toEqual({ accepted: 10 });
    const ids = await storedIds();
    expect(ids).toHaveLength(before + 15);
    expect(new Set(ids).size).toBe(ids.length);
    const listed = await listedIds();
    expect(listed).toHaveLength(ids.length);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('keeps one record when an id comes back with other content (keyed by id: the stored copy stays, with its rating)', async () => {
    const original = cdrRecord({ customer_id: customerId, at: '2026-12-07T09:00:00.000Z' });
    expect((await post([original])).status).toBe(200);
    const moved = cdrRecord({ id: original.id, customer_id: null, at: '2026-12-08T09:00:00.000Z' });
    expect((await post([moved])).body).toEqual({ accepted: 1 });
    expect((await storedIds()).filter((id) => id === original.id)).toHaveLength(1);
    expect((await listedIds()).filter((id) => id === original.id)).toHaveLength(1);
    expect((await h.call('GET', `/v1/cdrs/${original.id}`)).body).toEqual({
      ...original,
      rating: expect.objectContaining({ price_unrated_reason: 'no_rate_plan' }),
    });
  });

  it('sets the retention TTL from the INVITE time (400 days by default)', async () => {
    const record = cdrRecord({ customer_id: customerId, at: '2026-12-09T00:00:00.000Z' });
    await post([record]);
    const out = await h.store.doc.send(
      new GetCommand({ TableName: h.store.tableName, Key: keys.cdr(record.id) }),
    );
    expect(out.Item?.['expires_at']).toBe(Date.parse('2026-12-09T00:00:00.000Z') / 1000 + 400 * 86_400);
  });

  it('takes the relay token only: API keys and no key get 401, and reads refuse the relay token', async () => {
    const record = cdrRecord({ customer_id: customerId });
    for (const key of [null, customerKey, ADMIN_KEY]) {
      const res = await post([record], key);
      expect(res.status, String(key)).toBe(401);
      expect(res.body.detail).toMatch(/relay token/);
    }
    expect((await h.call('GET', `/v1/cdrs/${record.id}`)).status).toBe(404);
    expect((await h.call('GET', `/v1/cdrs?${range}`, { key: RELAY })).status).toBe(401);
  });

  it('refuses invalid records with 400 naming the fields, storing none of the batch', async () => {
    const good = cdrRecord({ customer_id: customerId });
    const res = await post([
      good,
      { ...cdrRecord(), final_code: 99, source: { ...good.source, ip: 'not-an-ip' } },
      { ...cdrRecord(), attempts: [{ ...good.attempts[0]!, cause: 'gone' }] },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'cdrs.1.final_code',
      'cdrs.1.source.ip',
      'cdrs.2.attempts.0.cause',
    ]);
    expect((await h.call('GET', `/v1/cdrs/${good.id}`)).status).toBe(404);
    const text = await h.call('POST', '/v1/cdrs', { raw: 'x', contentType: 'text/plain', key: RELAY });
    expect(text.status).toBe(415);
  });

  it('logs the Idempotency-Key of each batch', async () => {
    const logs: Record<string, unknown>[] = [];
    const logged = await apiHarness({ decision: { relayToken: RELAY }, cdrLog: (e) => logs.push(e) });
    const res = await logged.app.request('/v1/cdrs', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${RELAY}`,
        'content-type': 'application/json',
        'idempotency-key': 'relay-1:000042',
      },
      body: JSON.stringify({ cdrs: [cdrRecord()] }),
    });
    expect(res.status).toBe(200);
    expect(logs).toEqual([expect.objectContaining({ batch_id: 'relay-1:000042', records: 1, accepted: 1 })]);
  });
});
