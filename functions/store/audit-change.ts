import type { AuditChange } from '../audit/build-event';
import type { AuditAction, AuditResource } from '../domain/audit-event';
import { objectView } from './object-view';
import type { ResourceDef } from './resources';
import type { Doc } from './write-ops';

/** The customer whose data an object is, for its audit events; null: the operator's. */
function auditOwner(def: ResourceDef, doc: Doc): string | null {
  if (def.scope === 'customer') return typeof doc['customer_id'] === 'string' ? doc['customer_id'] : null;
  if (def.scope === 'tenant') return doc.id;
  return null;
}

const withoutHidden = (def: ResourceDef, doc: Doc): Record<string, unknown> =>
  Object.fromEntries(Object.entries(doc).filter(([k]) => !def.hidden.includes(k)));

/**
 * What one repository write changed, for its audit event. A write that moves an object from one
 * customer to another is the operator's alone (customer_id null): neither customer may read the
 * other's id in it.
 */
export function auditChange(
  def: ResourceDef,
  action: AuditAction,
  before: Doc | undefined,
  after: Doc | undefined,
): AuditChange {
  const owners = [before, after].filter((d): d is Doc => d !== undefined).map((d) => auditOwner(def, d));
  return {
    action,
    resource: def.kind as AuditResource,
    resource_id: (after ?? before)!.id,
    customer_id: owners.every((o) => o === owners[0]) ? (owners[0] ?? null) : null,
    before: before ? objectView(def, before) : null,
    after: after ? objectView(def, after) : null,
    // Stored forms for changed_fields: credentials' hashes tell a password change; hidden fields stay out.
    storedBefore: before ? withoutHidden(def, before) : null,
    storedAfter: after ? withoutHidden(def, after) : null,
  };
}
