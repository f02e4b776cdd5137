import { assertCanSee, assertCanWriteFor, type Principal } from '../http/auth';
import { type Doc, forbidden, type ResourceDef } from '../store';
import { assertSourcePolicy, DEFAULT_SOURCE_LIMITS, type SourceLimits } from './source-policy';

/** Who owns an object for access checks: its customer; providers (global) are everyone's to read. */
export function ownerForAccess(def: ResourceDef, doc: Doc): string | undefined {
  if (def.scope === 'customer') return String(doc['customer_id']);
  if (def.scope === 'tenant') return doc.id;
  return undefined;
}

/**
 * Access rules shared by every resource (docs/api.md): customer keys see only
 * their customer's objects (others: 404), create only for it (others: 403),
 * read but never write providers and their own customer (403). For sources
 * (docs/security.md) a customer key may not share them (403) nor
 * write one wider than `limits` (400).
 */
export function authorizer(def: ResourceDef, principal: Principal, limits?: SourceLimits) {
  let before: Doc | undefined;
  return (doc: Doc, phase: 'before' | 'after') => {
    if (principal.kind === 'operator') return;
    if (phase === 'before') before = doc;
    const owner = ownerForAccess(def, doc);
    if (phase === 'before' && owner !== undefined)
      assertCanSee(principal, owner, `${def.singular} ${doc.id}`);
    if (def.scope !== 'customer') throw forbidden(`only the operator may change ${def.plural}`);
    if (owner !== undefined) assertCanWriteFor(principal, owner);
    if (phase === 'after') assertSourcePolicy(def, principal, before, doc, limits ?? DEFAULT_SOURCE_LIMITS);
  };
}

/**
 * Query strings read `+` as a space; a number or target filter sent as
 * `?number=+1415…` (unencoded) still means the `+` form. Domain names are lowercase.
 */
export function filterValue(def: ResourceDef, field: string, value: string): string {
  if (def.kind === 'domain' && field === 'name') return value.trim().toLowerCase();
  return value.replace(/^ (?=[0-9])/, '+');
}
