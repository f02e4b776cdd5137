import type { AuditAction, AuditContext, AuditEvent, AuditResource } from '../domain/audit-event';
import { redactSecrets } from './redact';

type Snapshot = Record<string, unknown>;

/** What changed, as the writer knows it: the objects as stored (for `changed_fields`) and as shown. */
export type AuditChange = {
  action: AuditAction;
  resource: AuditResource;
  resource_id: string;
  /** The customer whose data this is; null: the operator's alone. */
  customer_id: string | null;
  /** The object before and after as API reads show it (secrets go, whatever the view holds). */
  before: Snapshot | null;
  after: Snapshot | null;
  /** The objects as stored, write-only fields included; unset: the views are compared. */
  storedBefore?: Snapshot | null;
  storedAfter?: Snapshot | null;
};

/** Bookkeeping fields the store sets: no change of their own. */
const META = new Set(['id', 'tm_create', 'tm_update', 'tm_delete']);

/**
 * Top-level fields whose value differs between `before` and `after` (absent counts as a value),
 * in the order they first appear. Pure.
 *
 * @example
 * changedFields({ name: 'a', x: 1 }, { name: 'b', x: 1 }); // ['name']
 */
export function changedFields(before: Snapshot | null, after: Snapshot | null): string[] {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return fields.filter((field) => !META.has(field) && !sameValue(before?.[field], after?.[field]));
}

/** Deep equality of JSON values, map keys in any order (DynamoDB does not keep their order). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const rb = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => k in rb && sameValue((a as Snapshot)[k], rb[k]));
}

/**
 * The event of one write: who (`context.actor`), from where (`context.source`), what (`change`)
 * and when (`time`), with every secret of `before` and `after` redacted. Pure: the caller gives
 * the id and the time.
 *
 * @example
 * buildAuditEvent(context, { action: 'create', resource: 'route', resource_id, customer_id, before: null, after }, { id, time });
 */
export function buildAuditEvent(
  context: AuditContext,
  change: AuditChange,
  at: { id: string; time: string },
): AuditEvent {
  const storedBefore = change.storedBefore !== undefined ? change.storedBefore : change.before;
  const storedAfter = change.storedAfter !== undefined ? change.storedAfter : change.after;
  return {
    id: at.id,
    time: at.time,
    actor: context.actor,
    action: change.action,
    resource: change.resource,
    resource_id: change.resource_id,
    customer_id: change.customer_id,
    before: change.before === null ? null : (redactSecrets(change.before) as Snapshot),
    after: change.after === null ? null : (redactSecrets(change.after) as Snapshot),
    changed_fields: changedFields(storedBefore, storedAfter),
    source: context.source,
    request_id: context.request_id,
  };
}

/** The actor of an event from the caller the auth middleware found (functions/http/auth.ts). */
export function actorOf(
  principal: { kind: 'operator' } | { kind: 'customer'; customerId: string; keyId: string },
): AuditContext['actor'] {
  return principal.kind === 'operator'
    ? { kind: 'operator', key_id: null, customer_id: null }
    : { kind: 'api_key', key_id: principal.keyId, customer_id: principal.customerId };
}
