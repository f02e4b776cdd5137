import { beforeAll, describe, expect, it } from 'vitest';
import { CSV_BODY_LIMIT, JSON_BODY_LIMIT, MAX_JSON_DEPTH } from '../../functions/http/request-guard';
import { apiHarness } from './api-fixture';
import { makeRefs, type Refs, validBody } from './world';

type H = Awaited<ReturnType<typeof apiHarness>>;

/** Bodies a careless or hostile client sends: each refused with the status and field named, nothing stored. */
describe('hostile input to the configuration API', () => {
  let h: H;
  let refs: Refs;
  const customers = async () => (await h.call('GET', '/v1/customers')).body.result.length;
  const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

  beforeAll(async () => {
    h = await apiHarness();
    refs = await makeRefs(h.call);
  });

  it('refuses a JSON body over the limit with 413, and stores nothing', async () => {
    const before = await customers();
    const res = await h.call('POST', '/v1/customers', {
      body: { name: 'big', detail: 'x'.repeat(JSON_BODY_LIMIT) },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await customers()).toBe(before);
  });

  it('refuses a CSV rate import over its own, larger limit with 413', async () => {
    const line = '+8210,0.012\n';
    const raw = `prefix,rate\n${line.repeat(Math.ceil(CSV_BODY_LIMIT / line.length) + 1)}`;
    const res = await h.call('POST', `/v1/rates?provider_id=${refs.providerId}`, {
      raw,
      contentType: 'text/csv',
    });
    expect(res.status).toBe(413);
  });

  it('refuses nesting deeper than the limit, even 100,000 levels, with 400', async () => {
    for (const depth of [MAX_JSON_DEPTH + 1, 100_000]) {
      const raw = `{"name":"deep","detail":"","extra":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const res = await h.call('POST', '/v1/customers', { raw });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toMatch(/deeper than/);
    }
  });

  it('names every unknown field, at the top and nested, instead of dropping it', async () => {
    const before = await customers();
    const res = await h.call('POST', '/v1/customers', { body: { name: 'x', bogus: 1, nmae: 'y' } });
    expect(res.status).toBe(400);
    expect(fields(res.body).sort()).toEqual(['bogus', 'nmae']);
    expect(await customers()).toBe(before);

    const ipbx = { ...validBody['ipbxs']!(refs), limits: { max_cps: 5, max_cpss: 6 } };
    const nested = await h.call('POST', '/v1/ipbxs', { body: ipbx });
    expect(nested.status).toBe(400);
    expect(fields(nested.body)).toEqual(['limits.max_cpss']);
  });

  it('refuses a lone surrogate anywhere and control characters in names', async () => {
    const before = await customers();
    const surrogate = await h.call('POST', '/v1/customers', { raw: '{"name":"ok","detail":"\\ud800"}' });
    expect(surrogate.status).toBe(400);
    expect(fields(surrogate.body)).toEqual(['detail']);
    const key = await h.call('POST', '/v1/customers', { raw: '{"name":"ok","\\udc00":1}' });
    expect(key.status).toBe(400);
    for (const name of ['a\u0000b', 'line\nbreak', 'bell\u0007']) {
      const res = await h.call('POST', '/v1/customers', { body: { name } });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(fields(res.body)).toEqual(['name']);
    }
    expect(await customers()).toBe(before);
    // Every stored name still reads back as JSON any client can parse.
    const list = await h.call('GET', '/v1/customers');
    expect(list.status).toBe(200);
  });

  it('answers a body of the wrong or no content type with 415', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', '']) {
      const res = await h.call('POST', '/v1/customers', { raw: '{"name":"x"}', contentType });
      expect(res.status, contentType).toBe(415);
      expect(fields(res.body)).toEqual(['content-type']);
    }
    const csvAsJson = await h.call('POST', `/v1/rates?provider_id=${refs.providerId}`, { raw: '{}' });
    expect(csvAsJson.status).toBe(415);
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await h.call(method, '/v1/routing/decide', { key: null });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
    const collection = await h.call('DELETE', '/v1/customers');
    expect(collection.status).toBe(405);
    expect(collection.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'POST']);
    const simulate = await h.call('GET', '/v1/routing/simulate');
    expect(simulate.status).toBe(405);
    expect((await h.call('GET', '/v1/no-such-thing')).status).toBe(404);
  });

  it('names the missing field of a simulation', async () => {
    const res = await h.call('POST', '/v1/routing/simulate', {
      body: { caller: '+12125550100', callee: '+3312' },
    });
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual(['customer_id']);
    const unknown = await h.call('POST', '/v1/routing/simulate', {
      body: { customer_id: refs.customerId, caller: '+12125550100', callee: '+3312', bogus: true },
    });
    expect(unknown.status).toBe(400);
    expect(fields(unknown.body)).toEqual(['bogus']);
  });
});
