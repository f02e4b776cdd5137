import { OpenAPIHono } from '@hono/zod-openapi';
import { notFound } from '../store/errors';
import type { ApiEnv } from './auth';
import { onError, problemResponse, validationHook } from './problem';

/**
 * A new group of routes with Tandem's validation hook (zod failures → 400
 * problem+json) and error answers. Mount it in app.ts, at start or lazily
 * (lazy-group.ts): then it serves requests as an app of its own and takes the
 * caller from the app's auth middleware through `env.principal`.
 *
 * @example
 * const routing = createRouteGroup();
 * routing.openapi(decideRoute, handler);
 */
export function createRouteGroup(): OpenAPIHono<ApiEnv> {
  const group = new OpenAPIHono<ApiEnv>({ defaultHook: (result) => validationHook(result) });
  group.onError(onError);
  group.notFound(() => problemResponse(notFound('no such route')));
  group.use('*', async (c, next) => {
    const principal = c.env?.principal;
    if (principal) c.set('principal', principal);
    await next();
  });
  return group;
}

/** Declared on every authenticated route (OpenAPI security requirement). */
export const bearerSecurity = [{ bearerAuth: [] }];
