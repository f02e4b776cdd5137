import type { MiddlewareHandler } from 'hono';

/**
 * Paths whose writes do not change routing (keys, the routing endpoints themselves, CDRs, a
 * customer's balance: the decision reads the credit account itself, not from its snapshot).
 */
const NOT_CONFIG = /^\/v1\/(api-keys|cdrs|routing)(\/|$)|^\/v1\/customers\/[^/]+\/balance$/;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * After every successful configuration write through the API, tell the
 * decision (`onConfigWrite`): the Redis version token moves and every
 * instance rebuilds within a second. The customer is the body's
 * `customer_id` when there is one (informational: the token is global).
 *
 * @example
 * app.use('/v1/*', configWriteHook(routing.onConfigWrite));
 */
export function configWriteHook(
  onConfigWrite: (customerId: string | undefined) => Promise<void>,
): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!WRITES.has(c.req.method) || NOT_CONFIG.test(c.req.path)) return;
    if (c.res.status < 200 || c.res.status >= 300) return;
    let customerId: string | undefined;
    try {
      const body = (await c.res.clone().json()) as { customer_id?: unknown } | null;
      if (body && typeof body.customer_id === 'string') customerId = body.customer_id;
    } catch {
      // No JSON body (204, CSV import answer): the global token is enough.
    }
    await onConfigWrite(customerId);
  };
}
