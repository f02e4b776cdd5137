import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes, routePath } from 'hono/route';
import { record, recording } from './figures';

/** Route templates found by a lazy group's own app (lazy-group.ts), by the request they served. */
const templates = new WeakMap<Request, string>();

/** A matched route, or none: Hono gives a middleware's own pattern (`*`, `/v1/*`) when no route matched. */
const matched = (path: string) => path !== '*' && !path.endsWith('/*');

/**
 * Called by a lazy group's app after its handler ran: the template its router matched
 * (`/v1/customers/:id`) for the request, which the outer app only knows as `/v1/customers/*`.
 *
 * @example
 * app.use('*', async (c, next) => { await next(); noteRouteTemplate(c); });
 */
export function noteRouteTemplate(c: Context): void {
  const path = routePath(c);
  if (matched(path)) templates.set(c.req.raw, path);
}

/**
 * The most specific pattern of the outer app the request fell under: a lazy group's prefix
 * (`/v1/customers/*`) for a request answered before the group ran (a 401 of auth), else the
 * widest middleware scope (`/v1/*`); `*` or `/*` alone says no route matched at all.
 */
function outerPattern(c: Context): string {
  let longest = '*';
  for (const route of matchedRoutes(c)) if (route.path.length > longest.length) longest = route.path;
  return longest === '*' || longest === '/*' ? 'unmatched' : longest;
}

/**
 * Counts every request by method, route template and status, with its duration: the template,
 * never the raw path, so no id or number becomes a label: the route a group matched
 * (`/v1/customers/:id`), else the outer pattern (outerPattern). Mounted first, so the answer of
 * the error handler is counted too.
 *
 * @example
 * app.use('*', requestMetrics());
 */
export function requestMetrics(): MiddlewareHandler {
  return async (c, next) => {
    if (!recording()) return next();
    const started = performance.now();
    await next();
    const own = routePath(c);
    const route = templates.get(c.req.raw) ?? (matched(own) ? own : outerPattern(c));
    record({
      kind: 'request',
      method: c.req.method,
      route,
      status: c.res.status,
      seconds: (performance.now() - started) / 1000,
    });
  };
}
