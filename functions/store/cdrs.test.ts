import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cdrRecord } from '../../contract/cdr.fixture';
import { CDR_SHARDS, CdrWriteThrottled, cdrItem, cdrShard, itemSize, putCdrs } from './cdrs';
import { scriptedStore, throttling } from './scripted-store.fixture';

const noSleep = async () => {};

describe('cdrItem', () => {
  it('keys the record by id, indexes it by customer-day and sharded day, sets the TTL', () => {
    const record = cdrRecord({ at: '2026-12-05T23:59:59.999Z' });
    const item = cdrItem(record, 400);
    expect(item).toMatchObject({
      PK: `CDR#${record.id}`,
      SK: 'A',
      GSI1PK: `CDR#CUSTOMER#${record.customer_id}#2026-12-05`,
      GSI1SK: `2026-12-05T23:59:59.999Z#${record.id}`,
      GSI2PK: `CDR#DAY#2026-12-05#${cdrShard(record.id)}`,
      GSI2SK: `2026-12-05T23:59:59.999Z#${record.id}`,
      kind: 'cdr',
      doc: record,
      expires_at: Math.floor(Date.parse('2026-12-05T23:59:59.999Z') / 1000) + 400 * 86_400,
    });
  });

  it('holds nothing but keys, doc, rating and TTL: a rated one-attempt call fits two WRU per copy, three attempts three', () => {
    const record = cdrRecord();
    const side = {
      prefix: '+8210',
      rate: '0.0125',
      connect_fee: '0.01',
      first_increment_s: 30,
      next_increment_s: 6,
      minimum_s: 0,
      effective_from: '2026-12-01T00:00:00.000Z',
      amount: '0.023125',
      currency: 'USD',
      billed_s: 66,
    };
    const rating = {
      provider_id: randomUUID(),
      cost: side,
      cost_unrated_reason: null,
      rate_plan_id: randomUUID(),
      price: side,
      price_unrated_reason: null,
    };
    const item = cdrItem(record, 400, rating);
    expect(Object.keys(item).sort()).toEqual(
      ['GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'PK', 'SK', 'doc', 'expires_at', 'kind', 'rating'].sort(),
    );
    expect(item['rating']).toEqual(rating);
    expect(itemSize(item)).toBeGreaterThan(1024);
    expect(itemSize(item)).toBeLessThanOrEqual(2048);
    const three = cdrRecord({
      attempts: [0, 1, 2].map(() => ({ ...record.attempts[0]!, target_id: randomUUID() })),
    });
    expect(itemSize(cdrItem(three, 400, rating))).toBeLessThanOrEqual(3072);
    expect(cdrItem(record, 400)['rating']).toBeNull();
  });

  it('puts calls without a customer under NONE', () => {
    const item = cdrItem(cdrRecord({ customer_id: null, attempts: [], final_code: 403, tm_answer: null }), 1);
    expect(item['GSI1PK']).toMatch(/^CDR#CUSTOMER#NONE#/);
  });

  it('spreads ids evenly over the shards', () => {
    const counts = new Array(CDR_SHARDS).fill(0);
    for (let i = 0; i < 8_000; i++) counts[cdrShard(crypto.randomUUID())]++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
  });
});

describe('putCdrs', () => {
  it('writes each distinct id once, 25 per request', async () => {
    const records = Array.from({ length: 60 }, () => cdrRecord());
    const { store, calls } = scriptedStore(() => []);
    const accepted = await putCdrs(store, [...records, ...records.slice(0, 10)], { retentionDays: 400 });
    expect(accepted).toBe(60);
    expect(calls.map((c) => c.length).sort()).toEqual([10, 25, 25]);
    const ids = calls.flat().map((r) => (r.PutRequest.Item['doc'] as { id: string }).id);
    expect(new Set(ids).size).toBe(60);
    expect(ids).toHaveLength(60);
  });

  it('retries unprocessed items until they are written', async () => {
    const { store, calls } = scriptedStore((requests, call) => (call <= 2 ? requests.slice(0, 5) : []));
    expect(
      await putCdrs(store, [cdrRecord(), cdrRecord(), cdrRecord(), cdrRecord(), cdrRecord(), cdrRecord()], {
        retentionDays: 1,
        sleep: noSleep,
      }),
    ).toBe(6);
    expect(calls.map((c) => c.length)).toEqual([6, 5, 5]);
  });

  it('gives up with CdrWriteThrottled when items stay unprocessed past the budget', async () => {
    const { store } = scriptedStore((requests) => requests);
    const error = await putCdrs(store, [cdrRecord(), cdrRecord()], {
      retentionDays: 1,
      budgetMs: 30,
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CdrWriteThrottled);
    expect((error as CdrWriteThrottled).unwritten).toBe(2);
  });

  it('turns a throttling error into CdrWriteThrottled and stops taking new chunks', async () => {
    const { store, calls } = scriptedStore((_r, call) => (call === 1 ? throttling() : []));
    const records = Array.from({ length: 300 }, () => cdrRecord());
    const error = await putCdrs(store, records, { retentionDays: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CdrWriteThrottled);
    expect((error as CdrWriteThrottled).unwritten).toBeGreaterThanOrEqual(25);
    expect(calls.length).toBeLessThan(12);
  });

  it('lets other store errors through (the app answers them)', async () => {
    const { store } = scriptedStore(() => new Error('boom'));
    await expect(putCdrs(store, [cdrRecord()], { retentionDays: 1 })).rejects.toThrow('boom');
  });
});
