import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { id } from '../domain';
import type { AuditContext } from '../domain/audit-event';
import { auditContextOf } from '../http/audit-context';
import { type ApiEnv, assertCanSee, customerScope, type Principal, principalOf } from '../http/auth';
import { problemResponses } from '../http/problem';
import { bearerSecurity, createRouteGroup } from '../http/route-group';
import {
  createRepository,
  notFound,
  type ResourceDef,
  resources,
  SourceConflictError,
  type Store,
} from '../store';
import { authorizer, filterValue, ownerForAccess } from './access';
import type { SourceLimits } from './source-policy';
import { toView } from './view';

export type RouteDeps = {
  store: Store;
  now: () => Date;
  /** Widest sources a customer key may write (settings: TANDEM_MIN_SOURCE_PREFIX_V4/_V6); unset: the defaults. */
  sourceLimits?: SourceLimits;
  /** Days a write's audit event is kept (TANDEM_AUDIT_RETENTION_DAYS); unset: 400. */
  auditRetentionDays?: number | undefined;
};

/**
 * A 409 for overlapping sources names the other owners' ids to the operator
 * only; a customer key gets the redacted form (store/sources.ts).
 */
export const revealTo =
  (principal: Principal) =>
  (error: unknown): never => {
    if (error instanceof SourceConflictError && principal.kind === 'operator') throw error.forOperator;
    throw error;
  };

export const pageQuery = {
  page_size: z.coerce.number().int().min(1).max(100).default(100).openapi({ example: 100 }),
  page_token: z.string().max(2048).optional(),
};

export const listOf = (schema: z.ZodType, name: string) =>
  z
    .object({
      result: z.array(schema),
      next_page_token: z.string().openapi({ description: 'Empty when this is the last page' }),
    })
    .openapi(name);

const pascal = (s: string) => s.replace(/(^|[\s_-])([a-z])/g, (_m, _sep, ch: string) => ch.toUpperCase());

/**
 * The REST routes of one resource (create, get, list, PUT, PATCH, delete),
 * all driven by its ResourceDef: one implementation for every resource.
 *
 * @example
 * app.route('/', resourceRoutes(deps, resources.route));
 */
export function resourceRoutes(
  deps: RouteDeps,
  def: ResourceDef,
  options: ResourceRouteOptions = {},
): OpenAPIHono<ApiEnv> {
  const group = createRouteGroup();
  const repo = createRepository(deps.store, def, deps.now);
  const base = `/v1/${def.path}`;
  const tags = [pascal(def.plural)];
  const view = def.view;
  const name = pascal(def.singular).replaceAll(' ', '');
  const idParam = z.object({ id: id.openapi({ param: { name: 'id', in: 'path' } }) });
  const inputObject = def.input as unknown as z.ZodObject;
  const patchBody = z.object(inputObject.shape).partial().openapi(`${name}Patch`);
  const query = z.object({
    ...pageQuery,
    ...(def.scope === 'customer' ? { customer_id: id.optional() } : {}),
    ...Object.fromEntries(def.filters.map((f) => [f, z.string().max(255).optional()])),
  });
  const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } }, required: true });
  const ok = (schema: z.ZodType, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });

  const customers = def.namedByCustomer
    ? createRepository(deps.store, resources.customer, deps.now)
    : undefined;
  /** For a customer key, the one object of a `namedByCustomer` kind its customer names (null: none). */
  const namedBy = async (customerId: string): Promise<string | null> => {
    const own = await customers?.get(customerId);
    const named = def.namedByCustomer ? own?.[def.namedByCustomer] : undefined;
    return typeof named === 'string' ? named : null;
  };

  const load = async (principal: Principal, objectId: string) => {
    if (principal.kind === 'customer' && customers && (await namedBy(principal.customerId)) !== objectId)
      throw notFound(`${def.singular} ${objectId} does not exist`);
    const doc = await repo.get(objectId);
    if (!doc) throw notFound(`${def.singular} ${objectId} does not exist`);
    const owner = ownerForAccess(def, doc);
    if (owner !== undefined) assertCanSee(principal, owner, `${def.singular} ${objectId}`);
    return doc;
  };

  group.openapi(
    createRoute({
      method: 'post',
      path: base,
      tags,
      summary: `Create a ${def.singular}`,
      security: bearerSecurity,
      request: { body: json(def.input) },
      responses: {
        201: ok(options.create ? options.create.schema : view, `The new ${def.singular}`),
        ...problemResponses(400, 401, 403, 409),
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const body = c.req.valid('json' as never);
      const audit = auditContextOf(c, deps);
      if (options.create) return c.json(await options.create.create(principal, body, audit), 201);
      const doc = await repo
        .create(body, { audit, authorize: authorizer(def, principal, deps.sourceLimits) })
        .catch(revealTo(principal));
      return c.json(toView(def, doc), 201);
    },
  );

  group.openapi(
    createRoute({
      method: 'get',
      path: base,
      tags,
      summary: `List ${def.plural}`,
      security: bearerSecurity,
      request: { query },
      responses: {
        200: ok(listOf(view, `${name}List`), `A page of ${def.plural}`),
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const q = c.req.valid('query' as never) as Record<string, string | number | undefined>;
      const scope = customerScope(principal);
      const filter = Object.fromEntries(
        def.filters.filter((f) => q[f] !== undefined).map((f) => [f, filterValue(def, f, String(q[f]))]),
      );
      if (def.scope === 'tenant' && scope) {
        // A customer key's list of customers is its own customer.
        const own = q['page_token'] ? undefined : await repo.get(scope);
        return c.json({ result: own ? [toView(def, own)] : [], next_page_token: '' }, 200);
      }
      if (customers && scope) {
        // A customer key's list of a kind its customer names is that one object.
        const named = q['page_token'] ? null : await namedBy(scope);
        const own = named ? await repo.get(named) : undefined;
        return c.json({ result: own ? [toView(def, own)] : [], next_page_token: '' }, 200);
      }
      const requested = q['customer_id'] as string | undefined;
      if (scope && requested && requested !== scope) return c.json({ result: [], next_page_token: '' }, 200);
      const page = await repo.list({
        customerId: scope ?? requested,
        filter,
        pageSize: Number(q['page_size']),
        pageToken: q['page_token'] as string | undefined,
      });
      return c.json(
        { result: page.items.map((d) => toView(def, d)), next_page_token: page.nextPageToken },
        200,
      );
    },
  );

  group.openapi(
    createRoute({
      method: 'get',
      path: `${base}/{id}`,
      tags,
      summary: `Get a ${def.singular}`,
      security: bearerSecurity,
      request: { params: idParam },
      responses: { 200: ok(view, `The ${def.singular}`), ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const { id: objectId } = c.req.valid('param' as never) as { id: string };
      return c.json(toView(def, await load(principalOf(c), objectId)), 200);
    },
  );

  if (options.update !== false) {
    // PUT replaces the object, PATCH its top-level fields; both answer the stored result.
    const update = (
      method: 'put' | 'patch',
      summary: string,
      description: string,
      body: z.ZodType,
      write: 'replace' | 'patch',
    ) =>
      group.openapi(
        createRoute({
          method,
          path: `${base}/{id}`,
          tags,
          summary,
          description,
          security: bearerSecurity,
          request: { params: idParam, body: json(body) },
          responses: {
            200: ok(view, `The updated ${def.singular}`),
            ...problemResponses(400, 401, 403, 404, 409),
          },
        }),
        async (c) => {
          const { id: objectId } = c.req.valid('param' as never) as { id: string };
          const principal = principalOf(c);
          // The raw body, not the validated one: a partial schema would fill in defaults.
          const doc = await repo[write](objectId, await c.req.json(), {
            audit: auditContextOf(c, deps),
            authorize: authorizer(def, principal, deps.sourceLimits),
          }).catch(revealTo(principal));
          return c.json(toView(def, doc), 200);
        },
      );
    update(
      'put',
      `Replace a ${def.singular}`,
      def.credentials ? 'Absent `credentials` keep the stored ones; `null` removes them.' : '',
      def.input,
      'replace',
    );
    update(
      'patch',
      `Update some fields of a ${def.singular}`,
      'Top-level fields of the body replace the stored ones; the result is validated as a whole.',
      patchBody,
      'patch',
    );
  }

  group.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/{id}`,
      tags,
      summary: `Delete a ${def.singular}`,
      security: bearerSecurity,
      request: { params: idParam },
      responses: {
        200: ok(view, `The deleted ${def.singular}`),
        ...problemResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id: objectId } = c.req.valid('param' as never) as { id: string };
      const cleanup = await options.beforeDelete?.(objectId);
      const doc = await repo.delete(objectId, {
        audit: auditContextOf(c, deps),
        authorize: authorizer(def, principalOf(c)),
      });
      await cleanup?.();
      return c.json(toView(def, doc), 200);
    },
  );

  return group;
}

export type ResourceRouteOptions = {
  /** false: no PUT/PATCH (api keys). */
  update?: boolean;
  create?: CreateHandler;
  /** Runs before a delete; what it returns runs after the delete succeeded (best-effort cleanup). */
  beforeDelete?: (id: string) => Promise<(() => Promise<void>) | undefined>;
};

/** Resource-specific creation (api keys return their secret once). */
export type CreateHandler = {
  schema: z.ZodType;
  create(principal: Principal, body: unknown, audit: AuditContext): Promise<Record<string, unknown>>;
};
