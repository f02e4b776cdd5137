import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { forbidden, HttpError, lookupApiKey, notFound, type Store } from '../store';

/** Who is calling: the operator (admin key) or one customer (a customer key). */
export type Principal = { kind: 'operator' } | { kind: 'customer'; customerId: string; keyId: string };

/**
 * The Hono env every route group shares: the auth middleware sets `principal`;
 * a group built lazily gets it as a binding (lazy-group.ts).
 */
export type ApiEnv = { Bindings: { principal?: Principal }; Variables: { principal: Principal } };

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Constant-time comparison (hashing first makes the lengths equal). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

const unauthorized = (detail: string) => new HttpError(401, 'Unauthorized', detail);

/**
 * /v1 paths that do not take an api key: the OpenAPI document, and routes
 * that check their own credential (e.g. the relay's token on
 * /v1/routing/decide): add them here.
 */
export const SELF_AUTHENTICATED_PATHS: ReadonlySet<string> = new Set([
  '/v1/openapi.json',
  // The relay's list of providers to probe (decision/http/health-targets-route.ts).
  '/v1/routing/health-targets',
]);

/** `METHOD path` pairs that check their own credential where other methods of the path take api keys. */
export const SELF_AUTHENTICATED_ROUTES: ReadonlySet<string> = new Set([
  // The relay's CDR batches carry the relay token (cdr/ingest-routes.ts); reading CDRs takes api keys.
  'POST /v1/cdrs',
  // A relay site's provider health report (api/provider-status-routes.ts); reading a provider's
  // status (`GET /v1/providers/{id}/status`) takes api keys.
  'POST /v1/providers/status',
]);

/** Paths where VoIPBIN's `?token=<key>` may stand in for the header (docs/voipbin-compat.md). */
export const QUERY_TOKEN_PATHS = '/v1.0/';

/**
 * The api key a request presents: `Authorization: Bearer <key>`, or on QUERY_TOKEN_PATHS VoIPBIN's
 * `?token=<key>` when `tokenInQuery` (TANDEM_API_TOKEN_IN_QUERY) allows it. While it does not, a
 * `?token=` is refused (401) rather than ignored, so the client learns its key is travelling in URLs.
 *
 * @example
 * presentedKey({ path: '/v1.0/routes', authorization: undefined, tokens: ['tdm_…'] }, true); // 'tdm_…'
 */
export function presentedKey(
  request: { path: string; authorization: string | undefined; tokens: readonly string[] },
  tokenInQuery: boolean,
): string {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.authorization ?? '')?.[1];
  if (!request.path.startsWith(QUERY_TOKEN_PATHS) || request.tokens.length === 0) {
    if (bearer === undefined) throw unauthorized('send Authorization: Bearer <api key>');
    return bearer;
  }
  if (!tokenInQuery) {
    throw unauthorized(
      'the api key in the query (?token=) is off on this server (TANDEM_API_TOKEN_IN_QUERY); send Authorization: Bearer <api key>',
    );
  }
  if (bearer !== undefined || request.tokens.length > 1) {
    throw unauthorized('send the api key once: as Authorization: Bearer or as one ?token=');
  }
  return request.tokens[0]!;
}

/**
 * `Authorization: Bearer <key>` on every /v1 route but SELF_AUTHENTICATED_PATHS and _ROUTES
 * (and on /v1.0 VoIPBIN's `?token=` when `tokenInQuery`: presentedKey):
 * the admin key is the operator, a customer key acts for its customer;
 * missing or unknown → 401.
 *
 * @example
 * app.use('/v1/*', authenticate({ store, adminKey }));
 */
export function authenticate(deps: {
  store: Store;
  adminKey: string;
  tokenInQuery?: boolean | undefined;
}): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (SELF_AUTHENTICATED_PATHS.has(c.req.path)) return next();
    if (SELF_AUTHENTICATED_ROUTES.has(`${c.req.method} ${c.req.path}`)) return next();
    const key = presentedKey(
      {
        path: c.req.path,
        authorization: c.req.header('authorization'),
        tokens: c.req.queries('token') ?? [],
      },
      deps.tokenInQuery === true,
    );
    if (sameSecret(key, deps.adminKey)) {
      c.set('principal', { kind: 'operator' });
    } else {
      const owner = key.startsWith('tdm_') ? await lookupApiKey(deps.store, key) : undefined;
      if (!owner) throw unauthorized('the api key is not valid');
      c.set('principal', { kind: 'customer', customerId: owner.customer_id, keyId: owner.id });
    }
    return next();
  };
}

/** The caller of a request that passed `authenticate`. */
export function principalOf(c: Context): Principal {
  const principal = c.get('principal') as Principal | undefined;
  if (!principal) throw unauthorized('send Authorization: Bearer <api key>');
  return principal;
}

/** 403 unless the operator calls. */
export function requireOperator(c: Context): void {
  if (principalOf(c).kind !== 'operator') throw forbidden('only the operator may do this');
}

/** The customer a caller is limited to; undefined for the operator (sees all). */
export function customerScope(principal: Principal): string | undefined {
  return principal.kind === 'customer' ? principal.customerId : undefined;
}

/** Reading another customer's object answers 404, as if it did not exist. */
export function assertCanSee(principal: Principal, customerId: string, what: string): void {
  if (principal.kind === 'customer' && principal.customerId !== customerId)
    throw notFound(`${what} does not exist`);
}

/** Creating (or moving) an object for another customer answers 403. */
export function assertCanWriteFor(principal: Principal, customerId: string): void {
  if (principal.kind === 'customer' && principal.customerId !== customerId) {
    throw forbidden('a customer key may only write objects of its own customer');
  }
}
