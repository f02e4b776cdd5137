import { randomUUID } from 'node:crypto';
import { type AuditChange, buildAuditEvent } from '../audit/build-event';
import type { AuditContext, AuditEvent } from '../domain/audit-event';
import type { Store } from './client';
import { keys } from './keys';
import { type PartitionQuery, queryPage } from './pagination';
import type { Op } from './transaction';

/**
 * The item of one event: in its object's partition (one object's history is one query), in its
 * customer's GSI1 partition when it has one, and in GSI2's single `AUDIT` partition (every
 * event), all three sorted by time; `expires_at` is the retention TTL. Pure.
 */
export function auditItem(event: AuditEvent, retentionDays: number): Record<string, unknown> {
  const order = keys.auditOrder(event.time, event.id);
  return {
    ...keys.auditEvent(event.resource_id, event.time, event.id),
    kind: 'audit_event',
    doc: event,
    GSI2PK: keys.auditAll(),
    GSI2SK: order,
    ...(event.customer_id ? { GSI1PK: keys.auditOfCustomer(event.customer_id), GSI1SK: order } : {}),
    expires_at: Math.floor(Date.parse(event.time) / 1000) + retentionDays * 86_400,
  };
}

/**
 * The event of a write as a new event (fresh id, the write's time) and the transaction op that
 * stores it: put into the write's own transaction, there is no change without its record and
 * no record without its change.
 *
 * @example
 * const { op } = auditOp(store.tableName, context, change, now());
 * await transact(store, [...writeOps, op]);
 */
export function auditOp(
  tableName: string,
  context: AuditContext,
  change: AuditChange,
  at: Date,
): { event: AuditEvent; op: Op } {
  const event = buildAuditEvent(context, change, { id: randomUUID(), time: at.toISOString() });
  return {
    event,
    op: {
      item: {
        Put: {
          TableName: tableName,
          Item: auditItem(event, context.retentionDays),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
  };
}

export type AuditQuery = {
  /** Only this customer's events (a customer key's own customer, or the operator's filter). */
  customerId?: string | undefined;
  resource?: string | undefined;
  resourceId?: string | undefined;
  action?: string | undefined;
  actorKeyId?: string | undefined;
  /** ISO times (`toISOString` form): from inclusive, to exclusive. */
  from?: string | undefined;
  to?: string | undefined;
  pageSize: number;
  pageToken?: string | undefined;
};

/**
 * The partition a query reads, newest first, and what is filtered within it: one object's
 * partition when `resourceId` is given, else the customer's (GSI1), else every event (GSI2).
 * Never a scan. Pure.
 */
export function auditPartition(q: AuditQuery): PartitionQuery {
  const filter: Record<string, string> = {};
  if (q.resource !== undefined) filter['resource'] = q.resource;
  if (q.action !== undefined) filter['action'] = q.action;
  if (q.actorKeyId !== undefined) filter['actor.key_id'] = q.actorKeyId;
  const base =
    q.resourceId !== undefined
      ? { partition: keys.auditOfObject(q.resourceId) }
      : q.customerId !== undefined
        ? { index: 'GSI1' as const, partition: keys.auditOfCustomer(q.customerId) }
        : { index: 'GSI2' as const, partition: keys.auditAll() };
  if (q.resourceId !== undefined && q.customerId !== undefined) filter['customer_id'] = q.customerId;
  return {
    ...base,
    descending: true,
    ...(q.from !== undefined || q.to !== undefined ? { sortKeyRange: { from: q.from, to: q.to } } : {}),
    ...(Object.keys(filter).length > 0 ? { filter } : {}),
  };
}

/**
 * One page of events, newest first.
 *
 * @example
 * const page = await listAuditEvents(store, { customerId, resource: 'route', pageSize: 50 });
 */
export async function listAuditEvents(
  store: Store,
  q: AuditQuery,
): Promise<{ items: AuditEvent[]; nextPageToken: string }> {
  const page = await queryPage(store, auditPartition(q), q.pageSize, q.pageToken);
  return { items: page.items.map((i) => i['doc'] as AuditEvent), nextPageToken: page.nextPageToken };
}
