import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from './auth';
import { validationHook } from './problem';

/**
 * A new group of routes with Tandem's validation hook (zod failures → 400
 * problem+json). Mount it in app.ts.
 *
 * @example
 * const routing = createRouteGroup();
 * routing.openapi(decideRoute, handler);
 */
export function createRouteGroup(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
}

/** Declared on every authenticated route (OpenAPI security requirement). */
export const bearerSecurity = [{ bearerAuth: [] }];
