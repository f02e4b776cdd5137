import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Cdr, MAX_CDR_ATTEMPTS, MAX_CDR_BATCH } from '../../contract/cdr';
import { cdrRecord } from '../../contract/cdr.fixture';
import { CDR_BODY_LIMIT, JSON_BODY_LIMIT } from '../http/request-guard';
import { CreditContention } from '../store/credit';
import { scriptedStore, throttling } from '../store/scripted-store.fixture';
import { createCdrApp } from './app';
import { CDR_RETRY_AFTER_S } from './ingest-routes';
import { type RatingSource, withoutDecks } from './rating-source';

const RELAY = 'relay-token-0123456789abcdef';

function app(reply: Parameters<typeof scriptedStore>[0] = () => [], rating: RatingSource = withoutDecks) {
  const { store, calls } = scriptedStore(reply);
  const logs: Record<string, unknown>[] = [];
  const cdrApp = createCdrApp({
    store,
    relayToken: RELAY,
    retentionDays: 400,
    log: (e) => logs.push(e),
    writeBudgetMs: 50,
    rating,
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    cdrApp.request('/v1/cdrs', {
      method: 'POST',
      headers: { authorization: `Bearer ${RELAY}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { post, calls, logs, cdrApp };
}

const fields = async (res: Response) =>
  ((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field);

/** A record with every string at its longest and the most attempts the contract allows. */
function largestRecord(): Cdr {
  const base = cdrRecord();
  return {
    ...base,
    call_id: 'c'.repeat(256),
    relay_id: 'r'.repeat(128),
    source: { ...base.source, ip: 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255' },
    caller: '9'.repeat(256),
    callee: '9'.repeat(256),
    caller_received: '9'.repeat(256),
    callee_received: '9'.repeat(256),
    did: '9'.repeat(32),
    reason: 'r'.repeat(128),
    end_reason: 'e'.repeat(64),
    refused: 'x'.repeat(64),
    attempts: Array.from({ length: MAX_CDR_ATTEMPTS }, () => ({
      ...base.attempts[0]!,
      target_id: randomUUID(),
      cause: 'no-provisional' as const,
      uri: `sip:${'9'.repeat(32)}@${'h'.repeat(470)}`,
      pdd_ms: 1_234_567,
    })),
  };
}

describe('CDR ingestion app', () => {
  it('stores a batch and answers how many distinct records it held, logging the batch id', async () => {
    const { post, calls, logs } = app();
    const a = cdrRecord();
    const res = await post({ cdrs: [a, cdrRecord(), a] }, { 'idempotency-key': 'batch-42' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2 });
    expect(calls.flat()).toHaveLength(2);
    expect(logs).toEqual([
      expect.objectContaining({ msg: 'cdr batch stored', batch_id: 'batch-42', records: 3, accepted: 2 }),
    ]);
  });

  it('takes the relay token only: none, a wrong one or an API key is 401; unset token is 503', async () => {
    const { cdrApp, calls } = app();
    const body = JSON.stringify({ cdrs: [cdrRecord()] });
    for (const authorization of [undefined, 'Bearer tdm_somecustomerkey', `Bearer ${RELAY}x`, RELAY]) {
      const res = await cdrApp.request('/v1/cdrs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body,
      });
      expect(res.status, String(authorization)).toBe(401);
    }
    expect(calls).toHaveLength(0);
    const { store } = scriptedStore(() => []);
    const disabled = createCdrApp({ store, relayToken: undefined, retentionDays: 1, rating: withoutDecks });
    const res = await disabled.request('/v1/cdrs', {
      method: 'POST',
      headers: { authorization: `Bearer ${RELAY}`, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(503);
  });

  it('refuses an invalid batch with 400 naming every field, and stores nothing', async () => {
    const { post, calls } = app();
    const bad = { ...cdrRecord(), tm_invite: '2026-12-05T10:00:00Z', cost: 1 };
    const late = cdrRecord({ final_code: 486 });
    const res = await post({ cdrs: [cdrRecord(), bad, late] });
    expect(res.status).toBe(400);
    expect(await fields(res)).toEqual(expect.arrayContaining(['cdrs.1.tm_invite', 'cdrs.2.tm_answer']));
    expect(calls).toHaveLength(0);
    const unknown = await post({ cdrs: [{ ...cdrRecord(), cost: 1 }] });
    expect(await fields(unknown)).toEqual(['cdrs.0.cost']);
    expect(await fields(await post({ cdrs: [] }))).toEqual(['cdrs']);
    const tooMany = Array.from({ length: MAX_CDR_BATCH + 1 }, () => cdrRecord());
    expect(await fields(await post({ cdrs: tooMany }))).toEqual(['cdrs']);
    expect(await fields(await post({ cdrs: [cdrRecord()] }, { 'idempotency-key': 'a b' }))).toEqual([
      'idempotency-key',
    ]);
  });

  it('takes batches up to 3 MiB (over the 1 MiB JSON limit) even of the largest records; refuses more with 413', async () => {
    const { post, calls } = app();
    // As many records with every field at its maximum as 3 MiB holds (the relay splits its batches by size).
    const one = JSON.stringify(largestRecord()).length;
    const count = Math.floor((CDR_BODY_LIMIT - 100) / (one + 1));
    const batch = { cdrs: Array.from({ length: count }, largestRecord) };
    const text = JSON.stringify(batch);
    expect(text.length).toBeGreaterThan(JSON_BODY_LIMIT);
    expect(text.length).toBeLessThan(CDR_BODY_LIMIT);
    const res = await post(text);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: count });
    expect(calls.flat()).toHaveLength(count);
    const padded = `${text}${' '.repeat(CDR_BODY_LIMIT - text.length + 1)}`;
    expect((await post(padded)).status).toBe(413);
  });

  it('answers 503 with Retry-After when DynamoDB throttles, outright or by leaving items unprocessed', async () => {
    for (const reply of [() => throttling(), (requests: never[]) => requests]) {
      const { post, logs } = app(reply as Parameters<typeof scriptedStore>[0]);
      const res = await post({ cdrs: [cdrRecord(), cdrRecord()] }, { 'idempotency-key': 'b-1' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(CDR_RETRY_AFTER_S));
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(logs).toEqual([
        expect.objectContaining({ msg: 'cdr batch throttled', batch_id: 'b-1', unwritten: 2 }),
      ]);
    }
  });

  /** The rating source of a batch whose charge step throws `error` (a customer with credit control). */
  const chargeFailing =
    (error: Error): RatingSource =>
    async () => ({
      ...(await withoutDecks()),
      creditControl: () => {
        throw error;
      },
    });

  it('answers 503 with Retry-After when the charges meet a busy credit account; the records are stored', async () => {
    const { post, calls, logs } = app(undefined, chargeFailing(new CreditContention('c-1')));
    const res = await post({ cdrs: [cdrRecord()] });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(CDR_RETRY_AFTER_S));
    expect(calls.flat()).toHaveLength(1);
    expect(logs).toEqual([expect.objectContaining({ msg: 'cdr batch not charged' })]);
  });

  it('answers 500 when the charges fail otherwise (a bug is not retried forever)', async () => {
    const { post, logs } = app(undefined, chargeFailing(new TypeError('a bug')));
    const res = await post({ cdrs: [cdrRecord()] });
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(logs).toEqual([]);
  });

  it('answers only POST /v1/cdrs and /healthz', async () => {
    const { cdrApp } = app();
    expect((await cdrApp.request('/v1/customers')).status).toBe(404);
  });
});
