import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { type ApiEnv, principalOf } from '../http/auth';
import { createRouteGroup } from '../http/route-group';
import { lazyGroup } from './lazy-group';

describe('lazyGroup', () => {
  it('builds its group on the first request only, once, and hands it the caller', async () => {
    let builds = 0;
    const customers = lazyGroup('/v1/customers', () => {
      builds += 1;
      const group = createRouteGroup();
      group.get('/v1/customers/:id', (c) => c.json({ id: c.req.param('id'), principal: principalOf(c) }));
      return group;
    });
    const app = new OpenAPIHono<ApiEnv>();
    app.use('*', async (c, next) => {
      c.set('principal', { kind: 'customer', customerId: 'c1', keyId: 'k1' });
      await next();
    });
    app.all(`${customers.prefix}/*`, customers.serve);
    expect(builds).toBe(0);

    const first = await app.request('/v1/customers/42');
    expect(await first.json()).toEqual({
      id: '42',
      principal: { kind: 'customer', customerId: 'c1', keyId: 'k1' },
    });
    expect((await app.request('/v1/customers/43')).status).toBe(200);
    expect(builds).toBe(1);
  });

  it("answers the group's own 404 as problem+json below its prefix", async () => {
    const rates = lazyGroup('/v1/rates', () => createRouteGroup());
    const app = new OpenAPIHono<ApiEnv>();
    app.all(`${rates.prefix}/*`, rates.serve);
    const res = await app.request('/v1/rates/nothing/here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
