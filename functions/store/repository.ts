import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_CUSTOMER_ID } from '../domain';
import type { AuditAction, AuditContext } from '../domain/audit-event';
import { auditChange } from './audit-change';
import { auditOp } from './audit-events';
import type { Store } from './client';
import { storeCredentials } from './credentials';
import { badRequest, conflict, fieldErrors, type HttpError, notFound } from './errors';
import { keys } from './keys';
import { listPartition } from './list-partition';
import { type Page, queryAll, queryPage } from './pagination';
import { type ResourceDef, refCountAttribute, referrersOf } from './resources';
import { type HolderKind, writeWithSources } from './sources';
import { type Op, transact } from './transaction';
import { type Doc, objectItem, writeOps } from './write-ops';

type Item = Record<string, unknown>;

/** Called with the object before and after a write; throws (404/403) to refuse it. */
export type Authorize = (doc: Doc, phase: 'before' | 'after') => void;

/**
 * What every write takes: who writes and from where (`audit`, recorded in the write's own
 * transaction: docs/audit.md) and, for callers that limit who may write, `authorize`.
 */
export type WriteOptions = { audit: AuditContext; authorize?: Authorize | undefined };

export type ListOptions = {
  customerId?: string | undefined;
  filter?: Record<string, string>;
  pageSize: number;
  pageToken?: string | undefined;
};

const META = ['id', 'tm_create', 'tm_update', 'tm_delete'];

/**
 * The one repository behind every configuration resource: schema-driven
 * create / get / list / replace / patch / delete, each write a single
 * transaction with its uniqueness guards, reference counters and config
 * version bumps.
 *
 * @example
 * const routes = createRepository(store, resources.route);
 * const route = await routes.create({ customer_id, provider_id, target: '+82' }, { audit });
 */
export function createRepository(store: Store, def: ResourceDef, now: () => Date = () => new Date()) {
  const table = store.tableName;

  // Async: some checks load their library on first use (libphonenumber for DID numbers).
  async function parse(body: unknown): Promise<Record<string, unknown>> {
    const parsed = await def.input.safeParseAsync(body);
    if (!parsed.success) {
      throw badRequest(`the ${def.singular} is invalid`, fieldErrors(parsed.error.issues));
    }
    return parsed.data as Record<string, unknown>;
  }

  /** Input → stored form: credentials become HA1; absent credentials keep the stored ones. */
  function toStored(input: Record<string, unknown>, before: Doc | undefined): Record<string, unknown> {
    if (!def.credentials) return input;
    const given = input['credentials'] as Parameters<typeof storeCredentials>[0] | null | undefined;
    const credentials =
      given === undefined
        ? (before?.['credentials'] ?? null)
        : given === null
          ? null
          : storeCredentials(given);
    return { ...input, credentials };
  }

  async function getItem(id: string): Promise<Item | undefined> {
    const out = await store.doc.send(
      new GetCommand({ TableName: table, Key: keys.object(def.kind, id), ConsistentRead: true }),
    );
    return out.Item && out.Item['kind'] === def.kind ? out.Item : undefined;
  }

  async function load(id: string, authorize?: Authorize): Promise<{ doc: Doc; rev: number }> {
    const found = await getItem(id);
    if (!found) throw notFound(`${def.singular} ${id} does not exist`);
    const doc = found['doc'] as Doc;
    authorize?.(doc, 'before');
    return { doc, rev: Number(found['rev'] ?? 0) };
  }

  const ops = writeOps(table, def);

  /** One transaction of `main` plus the source registry's ops for IPBXs and providers (sources.ts). */
  async function write(
    before: Doc | undefined,
    after: Doc | undefined,
    main: Op[],
    audit: { context: AuditContext; action: AuditAction; at: Date },
  ): Promise<void> {
    // The event goes into the write's transaction: no change without its record, no record without its change.
    const { op } = auditOp(table, audit.context, auditChange(def, audit.action, before, after), audit.at);
    const run = (extra: Op[]) => transact(store, [...main, op, ...extra]);
    if (def.sources) await writeWithSources(store, def.kind as HolderKind, before, after, run);
    else await run([]);
  }

  const changedConcurrently = (id: string) => async (): Promise<HttpError> =>
    (await getItem(id))
      ? conflict(`${def.singular} ${id} was changed concurrently; retry`)
      : notFound(`${def.singular} ${id} does not exist`);

  async function update(
    id: string,
    before: Doc,
    rev: number,
    input: Record<string, unknown>,
    options: WriteOptions,
  ) {
    const { authorize } = options;
    const after = {
      ...toStored(input, before),
      id,
      tm_create: before.tm_create,
      tm_update: now().toISOString(),
      tm_delete: null,
      ...hiddenOf(before),
    } as Doc;
    authorize?.(after, 'after');
    const next = objectItem(def, after, rev + 1);
    const sets = Object.keys(next).filter((k) => k !== 'PK' && k !== 'SK');
    await write(
      before,
      after,
      [
        {
          item: {
            Update: {
              TableName: table,
              Key: keys.object(def.kind, id),
              UpdateExpression: `SET ${sets.map((_k, i) => `#a${i} = :a${i}`).join(', ')}`,
              ConditionExpression: '#rev = :rev',
              ExpressionAttributeNames: {
                ...Object.fromEntries(sets.map((k, i) => [`#a${i}`, k])),
                '#rev': 'rev',
              },
              ExpressionAttributeValues: {
                ...Object.fromEntries(sets.map((k, i) => [`:a${i}`, next[k]])),
                ':rev': rev,
              },
            },
          },
          onConditionFailed: changedConcurrently(id),
        },
        ...ops.guardOps(before, after),
        ...ops.referenceOps(before, after),
        ...ops.versionOps(before, after),
      ],
      { context: options.audit, action: 'update', at: new Date(String(after['tm_update'])) },
    );
    return after;
  }

  function hiddenOf(doc: Doc): Record<string, unknown> {
    return Object.fromEntries(def.hidden.filter((h) => h in doc).map((h) => [h, doc[h]]));
  }

  return {
    def,

    /** Validates `body` with the create schema and stores it with a new id. `extra`: store-made fields. */
    async create(body: unknown, options: WriteOptions & { extra?: Record<string, unknown> }) {
      const input = await parse(body);
      const doc = {
        ...toStored(input, undefined),
        ...options.extra,
        id: randomUUID(),
        tm_create: now().toISOString(),
        tm_update: null,
        tm_delete: null,
      } as Doc;
      options.authorize?.(doc, 'after');
      await write(
        undefined,
        doc,
        [
          {
            item: {
              Put: {
                TableName: table,
                Item: objectItem(def, doc, 0),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          },
          ...ops.guardOps(undefined, doc),
          ...ops.referenceOps(undefined, doc),
          ...ops.versionOps(doc),
        ],
        { context: options.audit, action: 'create', at: new Date(doc.tm_create) },
      );
      return doc;
    },

    /** The stored object (with stored credentials), or undefined. */
    async get(id: string): Promise<Doc | undefined> {
      return (await getItem(id))?.['doc'] as Doc | undefined;
    },

    /** The raw item (doc plus store attributes such as `rate_deck_version`). */
    getItem,

    /** One page, of one customer (GSI1) or of all (GSI2). */
    async list(options: ListOptions): Promise<{ items: Doc[]; nextPageToken: string }> {
      const page: Page = await queryPage(
        store,
        {
          ...partitionOf(def, options.customerId),
          ...(options.filter && Object.keys(options.filter).length > 0 ? { filter: options.filter } : {}),
        },
        options.pageSize,
        options.pageToken,
      );
      return { items: page.items.map((i) => i['doc'] as Doc), nextPageToken: page.nextPageToken };
    },

    /** Every item (all pages) of one customer or of all. */
    listAllItems(customerId?: string): Promise<Item[]> {
      return queryAll(store, partitionOf(def, customerId));
    },

    /** PUT: the body replaces every input field (absent credentials are kept). */
    async replace(id: string, body: unknown, options: WriteOptions): Promise<Doc> {
      const { doc: before, rev } = await load(id, options.authorize);
      return update(id, before, rev, await parse(body), options);
    },

    /** PATCH: the body's top-level fields over the stored input, then validated as a whole. */
    async patch(id: string, body: unknown, options: WriteOptions): Promise<Doc> {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw badRequest('the body must be a JSON object', [
          { field: '(body)', message: 'must be an object' },
        ]);
      }
      const { doc: before, rev } = await load(id, options.authorize);
      const stored = Object.fromEntries(
        Object.entries(before).filter(
          ([k]) => !META.includes(k) && !def.hidden.includes(k) && k !== 'credentials',
        ),
      );
      return update(id, before, rev, await parse({ ...stored, ...body }), options);
    },

    /** Deletes unless referenced (409 naming the count). */
    async delete(id: string, options: WriteOptions): Promise<Doc> {
      if (def.kind === 'customer' && id === DEFAULT_CUSTOMER_ID) {
        throw conflict('the default customer cannot be deleted');
      }
      const { doc: before, rev } = await load(id, options.authorize);
      const referrers = referrersOf(def.kind);
      const names: Record<string, string> = { '#rev': 'rev' };
      const free = referrers.map((r, i) => {
        names[`#r${i}`] = refCountAttribute(r.kind);
        return `(attribute_not_exists(#r${i}) OR #r${i} = :zero)`;
      });
      await write(
        before,
        undefined,
        [
          {
            item: {
              Delete: {
                TableName: table,
                Key: keys.object(def.kind, id),
                ConditionExpression: ['#rev = :rev', ...free].join(' AND '),
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: { ':rev': rev, ...(free.length > 0 ? { ':zero': 0 } : {}) },
              },
            },
            onConditionFailed: async () => {
              const current = await getItem(id);
              if (!current) return notFound(`${def.singular} ${id} does not exist`);
              const uses = referrers
                .map((r) => ({ plural: r.plural, n: Number(current[refCountAttribute(r.kind)] ?? 0) }))
                .filter((u) => u.n > 0);
              return uses.length > 0
                ? conflict(
                    `${def.singular} ${id} is still referenced by ${uses.map((u) => `${u.n} ${u.n === 1 ? singularOf(u.plural) : u.plural}`).join(', ')}`,
                  )
                : conflict(`${def.singular} ${id} was changed concurrently; retry`);
            },
          },
          ...ops.guardOps(before, undefined),
          ...ops.referenceOps(before, undefined),
          ...ops.versionOps(before),
        ],
        {
          context: options.audit,
          // Deleting an api key revokes it: the word an operator searches for.
          action: def.kind === 'api_key' ? 'revoke' : 'delete',
          at: now(),
        },
      );
      return before;
    },
  };
}

export type Repository = ReturnType<typeof createRepository>;

function partitionOf(def: ResourceDef, customerId: string | undefined) {
  return listPartition(def.kind, def.scope === 'customer' ? customerId : undefined);
}

const singularOf = (plural: string) => plural.replace(/s$/, '');
