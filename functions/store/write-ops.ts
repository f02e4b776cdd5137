import { DEFAULT_CUSTOMER_ID } from '../domain';
import { badRequest, conflict } from './errors';
import { keys } from './keys';
import { type Reference, type ResourceDef, refCountAttribute } from './resources';
import { bumpVersion, type Op } from './transaction';

/** A stored object: the validated input plus id, timestamps and stored credentials. */
export type Doc = Record<string, unknown> & { id: string; tm_create: string };

/** The customer whose config version a write of this object bumps. */
export function ownerOf(def: ResourceDef, doc: Doc): string {
  if (def.scope === 'customer') return String(doc['customer_id']);
  if (def.scope === 'tenant') return doc.id;
  return DEFAULT_CUSTOMER_ID;
}

/** The item that holds one object: its keys, both list indexes, the doc and its revision. */
export function objectItem(def: ResourceDef, doc: Doc, rev: number): Record<string, unknown> {
  const order = keys.listOrder(doc.tm_create, doc.id);
  return {
    ...keys.object(def.kind, doc.id),
    kind: def.kind,
    doc,
    rev,
    GSI2PK: keys.byKind(def.kind),
    GSI2SK: order,
    ...(def.scope === 'customer'
      ? { GSI1PK: keys.byCustomer(def.kind, ownerOf(def, doc)), GSI1SK: order }
      : {}),
  };
}

/** The ids a `many` reference's dotted path holds (none when a document predates the field). */
function idsAt(doc: Doc | undefined, path: string): string[] {
  let value: unknown = doc;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(value) ? [...new Set(value.filter((v): v is string => typeof v === 'string'))] : [];
}

/**
 * The extra writes of a transaction that creates, changes or deletes one
 * object (`before` → `after`; undefined = absent): uniqueness guards,
 * reference counters and config version bumps. Pure: builds requests only.
 *
 * @example
 * const ops = writeOps(table, resources.did);
 * await transact(store, [mainWrite, ...ops.guardOps(before, after), ...ops.referenceOps(before, after)]);
 */
export function writeOps(table: string, def: ResourceDef) {
  function referenceOps(before: Doc | undefined, after: Doc | undefined): Op[] {
    return def.references.flatMap((ref) => {
      const ownerChanged = before && after && ownerOf(def, before) !== ownerOf(def, after);
      if (!ref.many) {
        const oldId = (before?.[ref.field] as string | null | undefined) ?? null;
        const newId = (after?.[ref.field] as string | null | undefined) ?? null;
        return pairOps(ref, oldId, newId, after, ownerChanged === true);
      }
      // A list: each id is one reference, released or taken as the list changes.
      const oldIds = idsAt(before, ref.field);
      const newIds = idsAt(after, ref.field);
      return [
        ...oldIds.filter((id) => !newIds.includes(id)).flatMap((id) => pairOps(ref, id, null, after, false)),
        ...newIds.flatMap((id) =>
          pairOps(ref, oldIds.includes(id) ? id : null, id, after, ownerChanged === true),
        ),
      ];
    });
  }

  /** One reference slot going from `oldId` to `newId` (null: none). */
  function pairOps(
    ref: Reference,
    oldId: string | null,
    newId: string | null,
    after: Doc | undefined,
    ownerChanged: boolean,
  ): Op[] {
    if (oldId === newId && !(newId && ownerChanged && ref.owner !== 'any')) return [];
    const ops: Op[] = [];
    if (oldId && oldId !== newId) ops.push(countOp(ref, oldId, -1));
    if (newId) {
      const owner = ownerOf(def, after!);
      ops.push(oldId === newId ? checkOp(ref, newId, owner) : countOp(ref, newId, 1, owner));
    }
    return ops;
  }

  function ownerCondition(ref: Reference, owner: string) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let condition = 'attribute_exists(PK)';
    if (ref.owner !== 'any') {
      names['#doc'] = 'doc';
      names['#cid'] = 'customer_id';
      values[':owner'] = owner;
      condition += ' AND (#doc.#cid = :owner';
      if (ref.owner === 'same-or-default-customer') {
        values[':default'] = DEFAULT_CUSTOMER_ID;
        condition += ' OR #doc.#cid = :default';
      }
      condition += ')';
    }
    return { condition, names, values };
  }

  const missingReference = (ref: Reference, id: string) => () =>
    badRequest(`${ref.field} does not name an existing ${ref.kind.replaceAll('_', ' ')}`, [
      { field: ref.field, message: `${ref.kind.replaceAll('_', ' ')} ${id} does not exist` },
    ]);

  function countOp(ref: Reference, id: string, delta: 1 | -1, owner?: string): Op {
    const update = {
      TableName: table,
      Key: keys.object(ref.kind, id),
      UpdateExpression: 'ADD #rc :d',
      ExpressionAttributeNames: { '#rc': refCountAttribute(def.kind) },
      ExpressionAttributeValues: { ':d': delta },
    };
    // Releasing a reference never fails; taking one needs the referenced item, owned by the writer's customer.
    if (delta < 0) return { item: { Update: update } };
    const cond = ownerCondition(ref, owner!);
    return {
      item: {
        Update: {
          ...update,
          ConditionExpression: cond.condition,
          ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...cond.names },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...cond.values },
        },
      },
      onConditionFailed: missingReference(ref, id),
    };
  }

  function checkOp(ref: Reference, id: string, owner: string): Op {
    const cond = ownerCondition(ref, owner);
    return {
      item: {
        ConditionCheck: {
          TableName: table,
          Key: keys.object(ref.kind, id),
          ConditionExpression: cond.condition,
          ...(Object.keys(cond.names).length > 0 ? { ExpressionAttributeNames: cond.names } : {}),
          ...(Object.keys(cond.values).length > 0 ? { ExpressionAttributeValues: cond.values } : {}),
        },
      },
      onConditionFailed: missingReference(ref, id),
    };
  }

  function guardOps(before: Doc | undefined, after: Doc | undefined): Op[] {
    return def.guards.flatMap((guard) => {
      const oldValue = before?.[guard.field] as string | undefined;
      const newValue = after?.[guard.field] as string | undefined;
      if (oldValue === newValue) return [];
      const ops: Op[] = [];
      if (oldValue)
        ops.push({ item: { Delete: { TableName: table, Key: keys.guard(guard.name, oldValue) } } });
      if (newValue) {
        ops.push({
          item: {
            Put: {
              TableName: table,
              Item: {
                ...keys.guard(guard.name, newValue),
                kind: 'guard',
                owner_kind: def.kind,
                owner_id: after!.id,
                customer_id: ownerOf(def, after!),
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          onConditionFailed: () => conflict(`${guard.field} ${newValue} is already in use`),
        });
      }
      return ops;
    });
  }

  function versionOps(...docs: (Doc | undefined)[]): Op[] {
    const owners = new Set(docs.filter((d): d is Doc => d !== undefined).map((d) => ownerOf(def, d)));
    return [...owners].map((owner) => bumpVersion(table, keys.version(owner)));
  }

  return { guardOps, referenceOps, versionOps };
}
