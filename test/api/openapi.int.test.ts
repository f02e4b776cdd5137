import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api';
import { createStore } from '../../functions/store';
import { freePort } from '../../platform/free-port';
import { apiHarness, type Json } from './api-fixture';

type H = Awaited<ReturnType<typeof apiHarness>>;

const resources = [
  'customers',
  'providers',
  'ipbxs',
  'dids',
  'domains',
  'normalization-profiles',
  'routes',
  'rate-plans',
];

describe('OpenAPI document and health', () => {
  let h: H;
  let doc: Json;
  beforeAll(async () => {
    h = await apiHarness();
    doc = (await h.call('GET', '/v1/openapi.json', { key: null })).body;
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every route with its methods and the bearer security scheme', () => {
    const methods = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    for (const r of resources) {
      expect(methods(`/v1/${r}`), r).toEqual(['get', 'post']);
      expect(methods(`/v1/${r}/{id}`), r).toEqual(['delete', 'get', 'patch', 'put']);
    }
    expect(methods('/v1/api-keys')).toEqual(['get', 'post']);
    expect(methods('/v1/api-keys/{id}')).toEqual(['delete', 'get']);
    expect(methods('/v1/rates')).toEqual(['get', 'post']);
    expect(doc.paths['/v1/rates'].post.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'provider_id',
      'rate_plan_id',
    ]);
    expect(methods('/healthz')).toEqual(['get']);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/routes'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/v1/routes'].post.responses['400'].content['application/problem+json']).toBeDefined();
  });

  /** A schema's properties, following `$ref` and `allOf`. */
  function properties(name: string): Record<string, unknown> {
    const walk = (schema: Json): Record<string, unknown> => {
      if (schema.$ref) return walk(doc.components.schemas[schema.$ref.split('/').pop()]);
      return Object.assign({}, ...(schema.allOf ?? []).map(walk), schema.properties ?? {});
    };
    return walk(doc.components.schemas[name]);
  }

  it('documents the fields: VoIPBIN route fields, write-only credentials', () => {
    const route = properties('Route');
    for (const f of [
      'id',
      'customer_id',
      'name',
      'detail',
      'provider_id',
      'priority',
      'target',
      'tm_create',
      'tm_update',
      'tm_delete',
    ]) {
      expect(route, f).toHaveProperty(f);
    }
    expect(properties('ProviderInput')['credentials']).toBeDefined();
    expect(JSON.stringify(properties('Provider')['credentials'])).not.toContain('password');
    expect(JSON.stringify(properties('Provider')['credentials'])).not.toContain('ha1');
  });

  it('renders docs at /docs', async () => {
    const res = await h.call('GET', '/docs', { key: null });
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain('/v1/openapi.json');
  });

  it('healthz: 200 when the store answers, 503 when it does not', async () => {
    expect((await h.call('GET', '/healthz', { key: null })).body).toEqual({ status: 'ok' });
    const down = createApp({
      store: createStore({
        endpoint: `http://127.0.0.1:${await freePort()}`,
        region: 'us-east-1',
        tableName: 't',
      }),
      adminKey: 'x'.repeat(20),
    });
    const res = await down.request('/healthz');
    expect(res.status).toBe(503);
    const read = await down.request('/v1/customers', {
      headers: { authorization: `Bearer ${'x'.repeat(20)}` },
    });
    expect(read.status).toBe(503);
    expect(read.headers.get('content-type')).toBe('application/problem+json');
  });
});
