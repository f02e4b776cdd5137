import { createRoute, z } from '@hono/zod-openapi';
import { id } from '../domain';
import {
  type AuditEvent,
  auditAction,
  auditActor,
  auditEvent,
  auditResource,
  auditSource,
} from '../domain/audit-event';
import { customerScope, principalOf } from '../http/auth';
import { problemResponses } from '../http/problem';
import { bearerSecurity, createRouteGroup } from '../http/route-group';
import { listAuditEvents } from '../store/audit-events';
import type { Store } from '../store/client';
import { badRequest, HttpError } from '../store/errors';
import { inSchemaOrder } from '../store/object-view';
import { type ResourceDef, resources } from '../store/resources';
import { listOf, pageQuery } from './resource-routes';

const time = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .optional()
  .openapi({ example: '2026-12-01T00:00:00Z', description: 'ISO 8601 time, or a date (00:00 UTC)' });

// Strict: a misspelt filter (`resource_type=`) is a 400 naming it, not a list of every event.
const query = z
  .object({
    resource: auditResource.optional(),
    resource_id: id.optional().openapi({ description: "One object's history" }),
    action: auditAction.optional(),
    actor_key_id: id.optional().openapi({ description: 'Writes made with this customer key' }),
    customer_id: id.optional().openapi({
      description: "One customer's events (operator only; a customer key naming another customer: 403)",
    }),
    from: time.openapi({ description: 'Events at or after this time' }),
    to: time.openapi({ description: 'Events before this time (excluded)' }),
    ...pageQuery,
  })
  .strict();

const VIEW_SCHEMA: Record<string, unknown> = Object.fromEntries(
  Object.values(resources as Record<string, ResourceDef>).map((def) => [def.kind, def.view]),
);

/** An event as stored, its fields (and its objects' fields) in the order the API documents. */
function inReadingOrder(event: AuditEvent): Record<string, unknown> {
  const view = (snapshot: Record<string, unknown> | null) =>
    snapshot && inSchemaOrder(snapshot, VIEW_SCHEMA[event.resource]);
  return inSchemaOrder(
    {
      ...event,
      actor: inSchemaOrder(event.actor, auditActor),
      source: inSchemaOrder(event.source, auditSource),
      before: view(event.before),
      after: view(event.after),
    },
    auditEvent,
  );
}

const asTime = (value: string) => new Date(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value));

/**
 * `GET /v1/audit-events` (docs/audit.md): every configuration and money write, newest first.
 * The operator reads all; a customer key its own customer's only.
 *
 * @example
 * lazyGroup('/v1/audit-events', () => auditRoutes({ store }));
 */
export function auditRoutes(deps: { store: Store }) {
  const group = createRouteGroup();
  group.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit-events',
      tags: ['Audit'],
      summary: 'List audit events, newest first',
      description:
        'One event per write that changed configuration or money: who (`actor`), what (`action`, ' +
        '`resource`, `resource_id`, `before`/`after` as API reads show them, secrets redacted), when ' +
        'and from where. Filters combine; `from` is included, `to` excluded. A customer key reads its ' +
        "own customer's events (another `customer_id`: 403). Unknown parameters are a 400.",
      security: bearerSecurity,
      request: { query },
      responses: {
        200: {
          description: 'A page of events',
          content: { 'application/json': { schema: listOf(auditEvent, 'AuditEventList') } },
        },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const own = customerScope(principalOf(c));
      if (own !== undefined && q.customer_id !== undefined && q.customer_id !== own) {
        throw new HttpError(403, 'Forbidden', "a customer key reads only its own customer's events", [
          { field: 'customer_id', message: 'must be the key’s own customer' },
        ]);
      }
      const from = q.from === undefined ? undefined : asTime(q.from).toISOString();
      const to = q.to === undefined ? undefined : asTime(q.to).toISOString();
      if (from !== undefined && to !== undefined && !(to > from)) {
        throw badRequest('to must be after from', [{ field: 'to', message: 'must be after from' }]);
      }
      const page = await listAuditEvents(deps.store, {
        customerId: own ?? q.customer_id,
        resource: q.resource,
        resourceId: q.resource_id,
        action: q.action,
        actorKeyId: q.actor_key_id,
        from,
        to,
        pageSize: q.page_size,
        pageToken: q.page_token,
      });
      return c.json({ result: page.items.map(inReadingOrder), next_page_token: page.nextPageToken }, 200);
    },
  );
  return group;
}
