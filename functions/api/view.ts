import { DEFAULT_CURRENCY } from '../billing/money';
import { type StoredCredentials, withCustomerDefaults } from '../domain';
import { type SourcedPeer, sourceWarnings } from '../domain/source-warnings';
import type { Doc, ResourceDef } from '../store';
import { viewCredentials } from '../store';

/** A stored object as API reads show it: hidden fields dropped, credentials without hashes, warnings added. */
export function toView(def: ResourceDef, stored: Doc): Record<string, unknown> {
  // An object stored before some fields existed reads as it behaves: with their defaults.
  const doc =
    def.kind === 'customer'
      ? withCustomerDefaults(stored)
      : def.kind === 'provider'
        ? { currency: DEFAULT_CURRENCY, ...stored }
        : def.kind === 'route'
          ? { exclude_negative_margin: false, ...stored }
          : stored;
  // DynamoDB does not keep the order of map keys: show them in the schema's order.
  const order = Object.keys((def.view as unknown as { shape?: object }).shape ?? {});
  const fields = [...order.filter((k) => k in doc), ...Object.keys(doc).filter((k) => !order.includes(k))];
  const view: Record<string, unknown> = Object.fromEntries(
    fields.filter((k) => !def.hidden.includes(k)).map((k) => [k, doc[k]]),
  );
  if (def.credentials) view['credentials'] = viewCredentials(doc['credentials'] as StoredCredentials | null);
  if (def.sources) {
    const warnings = sourceWarnings(doc as SourcedPeer);
    if (warnings.length > 0) view['warnings'] = warnings;
  }
  return view;
}
