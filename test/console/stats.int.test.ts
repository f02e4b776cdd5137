import { beforeAll, describe, expect, it } from 'vitest';
import { cdrRecord } from '../../contract/cdr.fixture';
import { ADMIN_KEY, apiHarness } from '../api/api-fixture';

/** The API the console reads besides the resources: `GET /v1/whoami` and `GET /v1/stats/calls`. */
const RELAY = 'relay-token-0123456789abcdef';
let h: Awaited<ReturnType<typeof apiHarness>>;
let a = '';
let b = '';
let keyA = '';
const provider = '7b0c7f4e-5d1e-4a53-9a39-2f3a3f1f0a11';
const window = 'from=2026-12-05T10:00:00Z&to=2026-12-05T11:00:00Z&bucket_s=600';

beforeAll(async () => {
  h = await apiHarness({ decision: { relayToken: RELAY }, cdrLog: () => {} });
  a = (await h.call('POST', '/v1/customers', { body: { name: 'A' } })).body.id;
  b = (await h.call('POST', '/v1/customers', { body: { name: 'B' } })).body.id;
  keyA = await h.customerKey(a);
  const refused = cdrRecord({
    at: '2026-12-05T10:25:00.000Z',
    customer_id: a,
    final_code: 404,
    reason: 'Not Found',
    refused: 'no_route',
    tm_ringing: null,
    tm_answer: null,
    end_by: null,
    end_reason: null,
    attempts: [],
  });
  const cdrs = [
    cdrRecord({ at: '2026-12-05T10:05:00.000Z', customer_id: a, providerId: provider }),
    refused,
    cdrRecord({ at: '2026-12-05T10:55:00.000Z', customer_id: b, providerId: provider }),
    // Outside the window: not counted.
    cdrRecord({ at: '2026-12-05T11:00:00.000Z', customer_id: a, providerId: provider }),
  ];
  const res = await h.call('POST', '/v1/cdrs', { body: { cdrs }, key: RELAY });
  expect(res.status).toBe(200);
});

const total = (buckets: { calls: number }[]) => buckets.reduce((n, x) => n + x.calls, 0);

describe('GET /v1/whoami', () => {
  it('tells the operator key from a customer key, and refuses no key', async () => {
    expect((await h.call('GET', '/v1/whoami')).body).toEqual({ kind: 'operator', customer_id: null });
    expect((await h.call('GET', '/v1/whoami', { key: keyA })).body).toEqual({
      kind: 'customer',
      customer_id: a,
    });
    expect((await h.call('GET', '/v1/whoami', { key: null })).status).toBe(401);
  });
});

describe('GET /v1/stats/calls', () => {
  it('gives the operator every customer’s calls per bucket, rejects by reason and each provider’s ASR and post-dial delay', async () => {
    const res = await h.call('GET', `/v1/stats/calls?${window}`, { key: ADMIN_KEY });
    expect(res.status).toBe(200);
    expect(res.body.buckets).toHaveLength(6);
    expect(res.body.buckets.map((x: { calls: number }) => x.calls)).toEqual([1, 0, 1, 0, 0, 1]);
    expect(res.body.rejects_by_reason).toEqual([{ reason: 'no_route', count: 1 }]);
    expect(res.body.providers).toEqual([
      { provider_id: provider, attempts: 2, answered: 2, asr: 1, pdd_ms: 350 },
    ]);
    expect(res.body.truncated).toBe(false);
  });

  it('gives a customer key its own calls and no provider figures; another customer’s reads nothing', async () => {
    const own = await h.call('GET', `/v1/stats/calls?${window}`, { key: keyA });
    expect(total(own.body.buckets)).toBe(2);
    expect(own.body.providers).toEqual([]);
    const other = await h.call('GET', `/v1/stats/calls?${window}&customer_id=${b}`, { key: keyA });
    expect(total(other.body.buckets)).toBe(0);
    const operatorForB = await h.call('GET', `/v1/stats/calls?${window}&customer_id=${b}`);
    expect(total(operatorForB.body.buckets)).toBe(1);
  });

  it('refuses a window longer than one hour, naming from', async () => {
    const res = await h.call('GET', '/v1/stats/calls?from=2026-12-05T09:00:00Z&to=2026-12-05T11:00:00Z');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['from']);
    const unknownBucket = await h.call('GET', '/v1/stats/calls?bucket_s=5');
    expect(unknownBucket.status).toBe(400);
  });
});
