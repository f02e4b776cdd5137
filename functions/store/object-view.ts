import { DEFAULT_CURRENCY } from '../billing/money';
import { type StoredCredentials, withCustomerDefaults } from '../domain';
import { viewCredentials } from './credentials';
import type { ResourceDef } from './resources';
import type { Doc } from './write-ops';

/**
 * A stored object as API reads show its fields: defaults of fields added since it was stored,
 * the schema's field order, hidden fields dropped, credentials without hashes. The API's view
 * (api/view.ts) and the audit log's before/after are both this.
 */
export function objectView(def: ResourceDef, stored: Doc): Record<string, unknown> {
  // An object stored before some fields existed reads as it behaves: with their defaults.
  const doc =
    def.kind === 'customer'
      ? withCustomerDefaults(stored)
      : def.kind === 'provider'
        ? { currency: DEFAULT_CURRENCY, ...stored }
        : def.kind === 'route'
          ? { exclude_negative_margin: false, ...stored }
          : stored;
  const view = inSchemaOrder(
    Object.fromEntries(Object.entries(doc).filter(([k]) => !def.hidden.includes(k))),
    def.view,
  );
  if (def.credentials) view['credentials'] = viewCredentials(doc['credentials'] as StoredCredentials | null);
  return view;
}

/** DynamoDB does not keep the order of map keys: the schema's fields first, in its order, then the rest. */
export function inSchemaOrder(value: Record<string, unknown>, schema: unknown): Record<string, unknown> {
  const order = Object.keys((schema as { shape?: object } | undefined)?.shape ?? {});
  const fields = [
    ...order.filter((k) => k in value),
    ...Object.keys(value).filter((k) => !order.includes(k)),
  ];
  return Object.fromEntries(fields.map((k) => [k, value[k]]));
}
