import type { OpenAPIHono } from '@hono/zod-openapi';
import { type Context, Hono } from 'hono';
import type { ApiEnv } from '../http/auth';
import { allowedMethods, methodNotAllowed } from '../http/method-not-allowed';
import { onError, problemResponse } from '../http/problem';
import { noteRouteTemplate } from '../metrics/http-metrics';
import { notFound } from '../store/errors';

/** A route group built on its first request, not while the app starts. */
export type LazyGroup = {
  /** The path the group serves, with everything below it. */
  prefix: string;
  /** The group, built once. */
  group(): OpenAPIHono<ApiEnv>;
  /** Hands a request to the group, with the principal the app's auth middleware found. */
  serve(c: Context<ApiEnv>): Response | Promise<Response>;
};

/**
 * The group as an app of its own: Tandem's error answers, and the caller the
 * app's auth middleware found, handed over as the `principal` binding.
 */
function standalone(group: OpenAPIHono<ApiEnv>): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.onError(onError);
  app.notFound((c) => {
    const allowed = allowedMethods(group, c.req.path);
    return allowed.length > 0 ? methodNotAllowed(allowed) : problemResponse(notFound('no such route'));
  });
  app.use('*', async (c, next) => {
    if (c.env?.principal) c.set('principal', c.env.principal);
    await next();
    // The template this app matched: the outer app's request metrics label by it.
    noteRouteTemplate(c);
  });
  return app.route('/', group);
}

/**
 * Defers building a route group until a request reaches its prefix.
 * Building every group's schemas and routes is a fifth of the API Lambda's
 * cold init; a cold request needs one group. Hono cannot add routes to an app
 * that has served (its matcher is built once), so the app routes the prefix
 * to `serve`, which runs the group as an app of its own.
 *
 * @example
 * const customers = lazyGroup('/v1/customers', () => resourceRoutes(deps, resources.customer));
 * app.all(`${customers.prefix}/*`, customers.serve);
 */
export function lazyGroup(prefix: string, build: () => OpenAPIHono<ApiEnv>): LazyGroup {
  let built: OpenAPIHono<ApiEnv> | undefined;
  let served: Hono<ApiEnv> | undefined;
  const group = () => (built ??= build());
  const app = () => (served ??= standalone(group()));
  return {
    prefix,
    group,
    serve: (c) => app().fetch(c.req.raw, { ...c.env, principal: c.get('principal') }),
  };
}
