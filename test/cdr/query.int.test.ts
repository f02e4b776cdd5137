import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cdr } from '../../contract/cdr';
import { cdrRecord } from '../../contract/cdr.fixture';
import { createApp } from '../../functions/api';
import { CDR_CSV_COLUMNS } from '../../functions/cdr/csv';
import { createDecideHandler } from '../../functions/decision/http/decide-handler';
import { type DecisionServer, serveDecision } from '../../functions/decision/node-server';
import { createRouting } from '../../functions/decision/routing';
import { ADMIN_KEY, apiHarness } from '../api/api-fixture';

const RELAY = 'relay-token-for-cdr-queries-01';
type H = Awaited<ReturnType<typeof apiHarness>>;

/** What a spreadsheet or any RFC 4180 reader makes of the export (csv-parse). */
const parseCsv = (text: string): string[][] => parse(text, { relax_column_count: true });

const newestFirst = (records: Cdr[]) =>
  [...records]
    .sort((a, b) => (`${a.tm_invite}#${a.id}` < `${b.tm_invite}#${b.id}` ? 1 : -1))
    .map((r) => r.id);

describe('GET /v1/cdrs, /v1/cdrs/{id}, /v1/cdrs/export on DynamoDB Local', () => {
  let h: H;
  let a: string;
  let b: string;
  let keyA: string;
  const p1 = randomUUID();
  const p2 = randomUUID();
  const p3 = randomUUID();
  const all: Cdr[] = [];
  const ofA = () => all.filter((r) => r.customer_id === a);
  const range = 'from=2026-12-01T00:00:00Z&to=2026-12-08T00:00:00Z';

  async function pages(query: string, key: string = ADMIN_KEY, size = 7): Promise<string[]> {
    const ids: string[] = [];
    let token = '';
    for (let n = 0; n < 100; n++) {
      const res = await h.call(
        'GET',
        `/v1/cdrs?${query}&page_size=${size}${token ? `&page_token=${token}` : ''}`,
        { key },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.result.length).toBeLessThanOrEqual(size);
      ids.push(...res.body.result.map((r: Cdr) => r.id));
      token = res.body.next_page_token;
      if (!token) return ids;
    }
    throw new Error('paging did not end');
  }

  async function exportCsv(query: string, key: string = ADMIN_KEY) {
    const res = await h.app.request(`/v1/cdrs/export?${query}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return { res, rows: parseCsv(await res.text()) };
  }

  beforeAll(async () => {
    h = await apiHarness({ decision: { relayToken: RELAY }, cdrLog: () => {} });
    a = (await h.call('POST', '/v1/customers', { body: { name: 'A' } })).body.id;
    b = (await h.call('POST', '/v1/customers', { body: { name: 'B' } })).body.id;
    keyA = await h.customerKey(a);
    // Three days (two days apart, one at the range's edges), two customers, calls refused before a customer.
    const times = ['2026-12-01T00:00:00.000Z', '2026-12-03T12:00:00.000Z', '2026-12-07T23:59:59.999Z'];
    for (const [d, at] of times.entries()) {
      for (let i = 0; i < 12; i++) {
        const t = new Date(Date.parse(at) - (d === 0 ? -i : i) * 1000).toISOString();
        const failed = i % 3 === 0;
        all.push(
          cdrRecord({
            at: t,
            customer_id: i % 2 === 0 ? a : b,
            caller: i % 4 === 0 ? '+4930111' : '+4930222',
            callee: `+8210${i % 5}`,
            providerId: i % 2 === 0 ? p1 : p2,
            ...(failed ? { final_code: 503, tm_answer: null, end_by: null } : {}),
          }),
        );
      }
    }
    // Two failovers before p3 answered.
    const failover = cdrRecord({ at: '2026-12-02T05:00:00.000Z', customer_id: b, providerId: p3 });
    const failed = { ...failover.attempts[0]!, code: 503, target_id: p1 };
    all.push({ ...failover, attempts: [failed, { ...failed, target_id: p2 }, failover.attempts[0]!] });
    // Same time, different ids: the id breaks the tie.
    all.push(cdrRecord({ at: '2026-12-03T12:00:00.000Z', customer_id: a, providerId: p1 }));
    all.push(
      cdrRecord({
        at: '2026-12-04T01:00:00.000Z',
        customer_id: null,
        attempts: [],
        final_code: 403,
        tm_answer: null,
        end_by: null,
        refused: 'unknown_source',
      }),
    );
    // Outside the range: `to` is excluded, `from` included.
    all.push(cdrRecord({ at: '2026-12-08T00:00:00.000Z', customer_id: a }));
    all.push(cdrRecord({ at: '2026-11-30T23:59:59.999Z', customer_id: a }));
    const res = await h.call('POST', '/v1/cdrs', { body: { cdrs: all }, key: RELAY });
    expect(res.status).toBe(200);
  });

  const inRange = () => all.filter((r) => r.tm_invite >= '2026-12-01' && r.tm_invite < '2026-12-08');

  it('lists the operator every CDR of [from, to), newest first across days, in pages that neither overlap nor skip', async () => {
    const expected = newestFirst(inRange());
    expect(expected).toHaveLength(39);
    expect(await pages(range)).toEqual(expected);
    expect(await pages(range, ADMIN_KEY, 100)).toEqual(expected);
    expect(await pages(range, ADMIN_KEY, 1)).toEqual(expected);
  });

  it('filters by customer, caller, callee, provider (any attempt) and final code, with paging', async () => {
    const pick = (f: (r: Cdr) => boolean) => newestFirst(inRange().filter(f));
    expect(await pages(`${range}&customer_id=${a}`)).toEqual(pick((r) => r.customer_id === a));
    expect(await pages(`${range}&caller=%2B4930111`, ADMIN_KEY, 2)).toEqual(
      pick((r) => r.caller === '+4930111'),
    );
    // An unencoded + reads as a space; it still means +.
    expect(await pages(`${range}&callee=+82103`)).toEqual(pick((r) => r.callee === '+82103'));
    expect(await pages(`${range}&provider_id=${p2}`, ADMIN_KEY, 3)).toEqual(
      pick((r) => r.attempts.some((t) => t.target_id === p2)),
    );
    expect(await pages(`${range}&final_code=503&customer_id=${b}`)).toEqual(
      pick((r) => r.final_code === 503 && r.customer_id === b),
    );
    expect(await pages(`${range}&caller=%2B0000`)).toEqual([]);
    const third = await pages(`${range}&provider_id=${p3}`);
    expect(third).toEqual(pick((r) => r.attempts.some((t) => t.target_id === p3)));
    expect(third).toHaveLength(1);
  });

  it('refuses an unbounded or too long range with 400 naming the field', async () => {
    const fields = async (query: string) => {
      const res = await h.call('GET', `/v1/cdrs?${query}`);
      expect(res.status, query).toBe(400);
      return res.body.errors.map((e: { field: string }) => e.field);
    };
    expect(await fields('')).toEqual(['from', 'to']);
    expect(await fields('from=2026-12-01')).toEqual(['to']);
    expect(await fields('from=2026-11-01&to=2026-12-03')).toEqual(['to']);
    expect(await fields('from=2026-12-03&to=2026-12-01')).toEqual(['to']);
    expect(await fields('from=yesterday&to=2026-12-01')).toEqual(['from']);
    expect(await fields(`${range}&page_size=101`)).toEqual(['page_size']);
    expect(await fields(`${range}&page_token=bm90LWEtdG9rZW4`)).toEqual(['page_token']);
    const exported = await h.call('GET', '/v1/cdrs/export?from=2026-11-01&to=2026-12-03');
    expect(exported.status).toBe(400);
    expect(exported.body.errors.map((e: { field: string }) => e.field)).toEqual(['to']);
  });

  it('gets one CDR by id; an unknown id is 404, a malformed one 400', async () => {
    const record = all[5]!;
    expect((await h.call('GET', `/v1/cdrs/${record.id}`)).body).toEqual({
      ...record,
      rating: expect.objectContaining({ cost: null, price: null }),
    });
    expect((await h.call('GET', `/v1/cdrs/${randomUUID()}`)).status).toBe(404);
    expect((await h.call('GET', '/v1/cdrs/not-an-id')).status).toBe(400);
  });

  it("keeps a customer key to its own customer's CDRs: lists, gets and exports", async () => {
    const own = newestFirst(inRange().filter((r) => r.customer_id === a));
    expect(await pages(range, keyA)).toEqual(own);
    expect(await pages(`${range}&customer_id=${a}`, keyA)).toEqual(own);
    expect(await pages(`${range}&customer_id=${b}`, keyA)).toEqual([]);
    const ofB = all.find((r) => r.customer_id === b)!;
    const ofNobody = all.find((r) => r.customer_id === null)!;
    expect((await h.call('GET', `/v1/cdrs/${ofB.id}`, { key: keyA })).status).toBe(404);
    expect((await h.call('GET', `/v1/cdrs/${ofNobody.id}`, { key: keyA })).status).toBe(404);
    expect((await h.call('GET', `/v1/cdrs/${ofA()[0]!.id}`, { key: keyA })).status).toBe(200);
    const mine = await exportCsv(range, keyA);
    expect(mine.rows.slice(1).map((r) => r[0])).toEqual(own);
    const theirs = await exportCsv(`${range}&customer_id=${b}`, keyA);
    expect(theirs.rows).toEqual([CDR_CSV_COLUMNS]);
  });

  it('exports CSV: a header of the documented columns, one quoted line per call, attempts in one column', async () => {
    const odd = cdrRecord({
      at: '2026-12-20T10:00:00.000Z',
      customer_id: a,
      caller: 'Sales, "Berlin"',
      callee: 'line\nbreak',
      providerId: p1,
    });
    odd.attempts.unshift({ ...odd.attempts[0]!, target_id: p2, code: 503, route_id: null, pdd_ms: null });
    await h.call('POST', '/v1/cdrs', { body: { cdrs: [odd] }, key: RELAY });
    const { res, rows } = await exportCsv('from=2026-12-20&to=2026-12-21');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="cdrs-2026-12-20T/);
    expect(rows).toHaveLength(2);
    const row = Object.fromEntries(rows[0]!.map((name, i) => [name, rows[1]![i]]));
    expect(rows[0]).toEqual(CDR_CSV_COLUMNS);
    expect(row).toEqual({
      id: odd.id,
      call_id: odd.call_id,
      customer_id: a,
      direction: 'outbound',
      source_kind: 'ipbx',
      source_id: odd.source.id,
      source_ip: '198.51.100.7',
      source_port: '5060',
      source_transport: 'udp',
      caller: 'Sales, "Berlin"',
      callee: 'line\nbreak',
      caller_received: '030123456',
      callee_received: '00821012345678',
      did: '',
      final_code: '200',
      reason: 'OK',
      refused: '',
      tm_invite: '2026-12-20T10:00:00.000Z',
      tm_ringing: '2026-12-20T10:00:01.000Z',
      tm_answer: '2026-12-20T10:00:02.000Z',
      tm_end: '2026-12-20T10:01:05.000Z',
      duration_s: '65',
      billsec: '63',
      end_by: 'caller',
      end_reason: 'bye',
      media_anchored: 'true',
      attempt_count: '2',
      attempts: `provider:${p2}::503:response::${odd.attempts[0]!.uri}|provider:${p1}:${odd.attempts[1]!.route_id}:200:response:350:${odd.attempts[1]!.uri}`,
      relay_id: 'relay-1',
      // No deck and no plan in this table: rating.int.test.ts exports rated calls.
      cost_amount: '',
      cost_currency: '',
      price_amount: '',
      price_currency: '',
    });
    const whole = await exportCsv(range);
    expect(whole.rows.slice(1).map((r) => r[0])).toEqual(newestFirst(inRange()));
  });

  it('refuses an export larger than a buffered Lambda answer can carry, with 400 on `to`', async () => {
    const capped = createApp({
      store: h.store,
      adminKey: ADMIN_KEY,
      cdrExportMaxBytes: 2_000,
      cdrLog: () => {},
    });
    const big = await capped.request(`/v1/cdrs/export?${range}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(big.status).toBe(400);
    expect(((await big.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('to');
    const small = await capped.request('/v1/cdrs/export?from=2026-12-20&to=2026-12-21', {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(small.status).toBe(200);
    expect(parseCsv(await small.text())).toHaveLength(2);
  });

  it('over the node server of npm start: ingests with the relay token and streams the export', async () => {
    const routing = createRouting(h.store, { relayToken: RELAY, nonceSecret: 'nonce-secret-0123456789' });
    const app = createApp({ store: h.store, adminKey: ADMIN_KEY, routing, cdrLog: () => {} });
    const server: DecisionServer = await serveDecision(createDecideHandler(routing.deps), app.fetch, {
      port: 0,
    });
    try {
      const record = cdrRecord({ at: '2026-12-21T10:00:00.000Z', customer_id: b });
      const posted = await fetch(`${server.url}/v1/cdrs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${RELAY}`,
          'content-type': 'application/json',
          'idempotency-key': 'n-1',
        },
        body: JSON.stringify({ cdrs: [record] }),
      });
      expect(posted.status).toBe(200);
      const exported = await fetch(`${server.url}/v1/cdrs/export?from=2026-12-21&to=2026-12-22`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(exported.status).toBe(200);
      // Streamed: no length known up front.
      expect(exported.headers.get('transfer-encoding')).toBe('chunked');
      expect(parseCsv(await exported.text()).map((r) => r[0])).toEqual(['id', record.id]);
    } finally {
      await server.close();
    }
  });

  it('documents every CDR route in the OpenAPI document', async () => {
    const doc = (await h.call('GET', '/v1/openapi.json', { key: null })).body;
    expect(Object.keys(doc.paths['/v1/cdrs']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/cdrs/export'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/v1/cdrs/{id}'])).toEqual(['get']);
    expect(doc.paths['/v1/cdrs'].post.security).toEqual([{ relayToken: [] }]);
    expect(doc.paths['/v1/cdrs'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(doc.components.schemas.Cdr.properties)).toEqual(Object.keys(all[0]!));
    expect(doc.components.schemas.CdrAttempt).toBeDefined();
    expect(doc.paths['/v1/cdrs/export'].get.responses['200'].content['text/csv']).toBeDefined();
  });
});
