import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  describeSource,
  portsOverlap,
  rangeContains,
  rangesOverlap,
  type SourceRange,
  type SourceSpec,
  sourceRange,
} from '../domain/source-range';
import type { Store } from './client';
import { badRequest, conflict, type FieldError, HttpError } from './errors';
import { keys, SOURCES } from './keys';
import { listPartition } from './list-partition';
import { queryAll } from './pagination';
import type { Op } from './transaction';
import type { Doc } from './write-ops';

/**
 * Source ownership (docs/security.md): the decision picks the IPBX
 * or provider of a call by its source address, so a source belongs to one
 * owner. Two sources overlap when some packet matches both (nested CIDRs,
 * ports equal or either absent); overlapping sources of different owners are
 * refused, except between IPBXs the operator marked `shared_source` that
 * each have their own digest credentials (the decision then tells the
 * callers apart by credentials). Providers share nothing with IPBXs; a
 * customer's IPBXs and the operator's providers may overlap among themselves.
 *
 * Writes read every holder with a consistent query of the registry partition
 * (plus objects stored before the registry existed, from the list index) and
 * move the registry's revision conditionally in the same transaction: of two
 * concurrent writes, the second re-reads and sees the first.
 */

export type HolderKind = 'ipbx' | 'provider';

/** What the registry keeps of an IPBX or provider: whose sources they are and how its callers are told apart. */
export type SourceHolder = {
  kind: HolderKind;
  id: string;
  /** The IPBX's customer; null for providers (the operator's). */
  customer_id: string | null;
  shared: boolean;
  /** `realm\nusername` of an IPBX's digest credentials; null without them (and for providers). */
  identity: string | null;
  sources: SourceSpec[];
};

/** Why two overlapping sources may not both stand. */
export type ConflictReason =
  | 'ipbx_of_another_customer'
  | 'provider_and_ipbx'
  | 'shared_without_credentials'
  | 'shared_with_same_credentials';

/** One source of `holder` (by index) against one source of another holder. */
export type SourceConflict = {
  index: number;
  source: SourceSpec;
  other: { kind: HolderKind; id: string; customer_id: string | null; index: number; source: SourceSpec };
  reason: ConflictReason;
};

/** The registry entry of a stored IPBX or provider. */
export function holderOf(kind: HolderKind, doc: Doc): SourceHolder {
  const credentials = doc['credentials'] as { realm?: string; username?: string } | null | undefined;
  const sources = (doc['allowed_sources'] as SourceSpec[] | undefined) ?? [];
  return {
    kind,
    id: doc.id,
    customer_id: kind === 'ipbx' ? String(doc['customer_id']) : null,
    shared: kind === 'ipbx' && doc['shared_source'] === true,
    identity:
      kind === 'ipbx' && credentials?.realm !== undefined
        ? `${credentials.realm}\n${credentials.username ?? ''}`
        : null,
    sources: sources.map((s) => (s.port === undefined ? { cidr: s.cidr } : { cidr: s.cidr, port: s.port })),
  };
}

/** Why overlapping sources of `a` and `b` may not stand together; undefined when they may. */
export function clash(a: SourceHolder, b: SourceHolder): ConflictReason | undefined {
  if (a.kind === 'provider' && b.kind === 'provider') return undefined;
  if (a.kind !== b.kind) return 'provider_and_ipbx';
  if (a.customer_id === b.customer_id) return undefined;
  if (!a.shared || !b.shared) return 'ipbx_of_another_customer';
  if (!a.identity || !b.identity) return 'shared_without_credentials';
  if (a.identity === b.identity) return 'shared_with_same_credentials';
  return undefined;
}

const sameHolder = (a: SourceHolder, b: SourceHolder) => JSON.stringify(a) === JSON.stringify(b);

/** The sources of `holder` that overlap a source of another holder they may not share with. */
export function conflictsOf(holder: SourceHolder, others: Iterable<SourceHolder>): SourceConflict[] {
  const mine = holder.sources.map((source, index) => ({ source, index, range: sourceRange(source.cidr) }));
  const found: SourceConflict[] = [];
  for (const other of others) {
    if (other.kind === holder.kind && other.id === holder.id) continue;
    const reason = clash(holder, other);
    if (!reason) continue;
    other.sources.forEach((theirs, j) => {
      const range = sourceRange(theirs.cidr);
      if (!range) return;
      for (const m of mine) {
        if (m.range && portsOverlap(m.source.port, theirs.port) && rangesOverlap(m.range, range)) {
          found.push({
            index: m.index,
            source: m.source,
            other: {
              kind: other.kind,
              id: other.id,
              customer_id: other.customer_id,
              index: j,
              source: theirs,
            },
            reason,
          });
        }
      }
    });
  }
  return found.sort((a, b) => a.index - b.index);
}

const conflictKey = (c: SourceConflict) =>
  `${describeSource(c.source)}|${c.other.kind}#${c.other.id}|${describeSource(c.other.source)}`;

/** What each reason means, for messages and the check endpoint. */
export const REASON_TEXT: Record<ConflictReason, string> = {
  ipbx_of_another_customer:
    'a source belongs to one customer unless the operator shares it (shared_source and digest credentials on every IPBX on it)',
  provider_and_ipbx: 'a provider and an IPBX cannot share a source',
  shared_without_credentials: 'a shared source needs digest credentials on every IPBX on it',
  shared_with_same_credentials:
    'IPBXs sharing a source need different digest credentials (realm and username)',
};

/** Shown to a customer key: names no other customer, their objects or their credentials. */
const redactedMessage = (c: SourceConflict) =>
  c.other.kind === 'provider'
    ? "overlaps a provider's source"
    : 'overlaps a source owned by another customer';

const operatorMessage = (c: SourceConflict) =>
  `${describeSource(c.source)} overlaps ${describeSource(c.other.source)} (allowed_sources.${c.other.index}) of ` +
  `${c.other.kind} ${c.other.id}${c.other.customer_id ? ` of customer ${c.other.customer_id}` : ''}: ${REASON_TEXT[c.reason]}`;

const MAX_LISTED = 50;

/**
 * 409 for overlapping sources. As thrown it is safe for any caller (no other
 * customer's ids); `forOperator` names every conflicting object.
 */
export class SourceConflictError extends HttpError {
  constructor(
    detail: string,
    errors: FieldError[],
    readonly forOperator: HttpError,
  ) {
    super(409, 'Conflict', detail, errors);
    this.name = 'SourceConflictError';
  }
}

export function sourceConflictError(holder: SourceHolder, conflicts: SourceConflict[]): SourceConflictError {
  const field = (c: SourceConflict) => `allowed_sources.${c.index}`;
  // A customer sees one line per source of its own; the operator every pair.
  const firstPerSource = conflicts.filter((c, i) => conflicts.findIndex((d) => d.index === c.index) === i);
  const redacted = firstPerSource.map((c) => ({ field: field(c), message: redactedMessage(c) }));
  const full = conflicts.slice(0, MAX_LISTED).map((c) => ({ field: field(c), message: operatorMessage(c) }));
  const what = holder.kind === 'ipbx' ? 'ipbx' : 'provider';
  const ids = [...new Set(conflicts.map((c) => `${c.other.kind} ${c.other.id}`))];
  return new SourceConflictError(
    `allowed_sources of the ${what} overlap sources it may not share (${redacted.map((e) => `${e.field} ${e.message}`).join('; ')})`,
    redacted,
    new HttpError(
      409,
      'Conflict',
      `allowed_sources of the ${what} overlap sources of ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ` and ${ids.length - 10} more` : ''}`,
      full,
    ),
  );
}

/**
 * A catch-all source (0.0.0.0/0, ::/0) matches every caller: only digest
 * credentials then identify the IPBX. A catch-all the IPBX already had
 * without credentials (stored before the rule) is left to the check endpoint.
 */
export function catchAllErrors(kind: HolderKind, before: Doc | undefined, after: Doc): FieldError[] {
  if (kind !== 'ipbx' || after['credentials']) return [];
  const keptWithoutCredentials = (s: SourceSpec) =>
    before !== undefined &&
    !before['credentials'] &&
    holderOf(kind, before).sources.some((b) => describeSource(b) === describeSource(s));
  return holderOf(kind, after)
    .sources.map((s, i) => ({ s, i }))
    .filter(({ s }) => sourceRange(s.cidr)?.bits === 0 && !keptWithoutCredentials(s))
    .map(({ i }) => ({
      field: `allowed_sources.${i}.cidr`,
      message: 'is a catch-all: the ipbx needs digest credentials to use it',
    }));
}

/** The revision moved between our read and our write: read again. */
class RegistryMoved extends HttpError {
  constructor() {
    super(409, 'Conflict', 'allowed sources were changed concurrently; retry');
  }
}

export type Registry = { revision: number; holders: Map<string, SourceHolder> };

const holderKey = (kind: string, id: string) => `${kind}#${id}`;

/**
 * Every holder, as a write must see it: the revision first, then the
 * registry partition (consistent), then objects stored before the registry
 * (from the list index) that have no entry yet.
 */
export async function readRegistry(store: Store): Promise<Registry> {
  const legacy = Promise.all(
    (['ipbx', 'provider'] as const).map(async (kind) =>
      (await queryAll(store, listPartition(kind))).map((item) => holderOf(kind, item['doc'] as Doc)),
    ),
  );
  const revisionItem = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: keys.sourcesRevision(), ConsistentRead: true }),
  );
  const revision = Number(revisionItem.Item?.['revision'] ?? 0);
  const holders = new Map<string, SourceHolder>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': SOURCES },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const holder = item['holder'] as SourceHolder | undefined;
      if (holder) holders.set(holderKey(holder.kind, holder.id), holder);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  for (const holder of (await legacy).flat()) {
    if (!holders.has(holderKey(holder.kind, holder.id)))
      holders.set(holderKey(holder.kind, holder.id), holder);
  }
  return { revision, holders };
}

function putHolder(table: string, holder: SourceHolder): Op {
  return {
    item: {
      Put: {
        TableName: table,
        Item: { ...keys.sourceHolder(holder.kind, holder.id), kind: 'source_holder', holder },
      },
    },
  };
}

function moveRevision(table: string, seen: number): Op {
  return {
    item: {
      Update: {
        TableName: table,
        Key: keys.sourcesRevision(),
        UpdateExpression: 'SET #r = :next',
        ConditionExpression: seen === 0 ? 'attribute_not_exists(#r)' : '#r = :seen',
        ExpressionAttributeNames: { '#r': 'revision' },
        ExpressionAttributeValues: seen === 0 ? { ':next': 1 } : { ':next': seen + 1, ':seen': seen },
      },
    },
    onConditionFailed: () => new RegistryMoved(),
  };
}

const ATTEMPTS = 8;

/**
 * Runs the write of an IPBX or provider (`run` gets the extra ops to add to
 * its one transaction) once its sources are known to be its own: 400 for a
 * catch-all without credentials, 409 (SourceConflictError) for a source that
 * overlaps one it may not share. Only overlaps the write creates count: one
 * that was already stored (before the rule) does not block an unrelated edit.
 *
 * @example
 * await writeWithSources(store, 'ipbx', before, after, (ops) => transact(store, [main, ...ops]));
 */
export async function writeWithSources(
  store: Store,
  kind: HolderKind,
  before: Doc | undefined,
  after: Doc | undefined,
  run: (ops: Op[]) => Promise<void>,
): Promise<void> {
  const table = store.tableName;
  if (!after) {
    await run([{ item: { Delete: { TableName: table, Key: keys.sourceHolder(kind, before!.id) } } }]);
    return;
  }
  const catchAll = catchAllErrors(kind, before, after);
  if (catchAll.length > 0) {
    throw badRequest('a catch-all source needs digest credentials on the ipbx', catchAll);
  }
  const next = holderOf(kind, after);
  const previous = before && holderOf(kind, before);
  if (previous && sameHolder(previous, next)) {
    await run([]);
    return;
  }
  for (let attempt = 1; ; attempt++) {
    const registry = await readRegistry(store);
    const others = [...registry.holders.values()].filter((h) => !(h.kind === kind && h.id === next.id));
    const known = new Set(previous ? conflictsOf(previous, others).map(conflictKey) : []);
    const fresh = conflictsOf(next, others).filter((c) => !known.has(conflictKey(c)));
    if (fresh.length > 0) throw sourceConflictError(next, fresh);
    try {
      await run([putHolder(table, next), moveRevision(table, registry.revision)]);
      return;
    } catch (error) {
      if (!(error instanceof RegistryMoved)) throw error;
      if (attempt >= ATTEMPTS) throw conflict('allowed sources were changed concurrently; retry');
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
}

/** One source of one holder, as the check endpoint names it. */
export type ConflictSide = {
  kind: HolderKind;
  id: string;
  customer_id: string | null;
  field: string;
  cidr: string;
  port: number | null;
};
export type ConflictPair = { a: ConflictSide; b: ConflictSide; reason: ConflictReason };

const compareBytes = (a: number[], b: number[]) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};

/**
 * Every pair of overlapping sources that may not stand together, among all
 * holders (what the check endpoint lists). CIDRs nest or are disjoint, so one
 * sweep over the ranges sorted by network (wider first) keeps the ranges that
 * contain the current one on a stack: O(n log n + pairs).
 *
 * @example
 * allConflicts(holders); // [{ a: { kind: 'ipbx', id, field: 'allowed_sources.0', … }, b: …, reason }]
 */
export function allConflicts(holders: readonly SourceHolder[]): ConflictPair[] {
  type Entry = { holder: SourceHolder; index: number; source: SourceSpec; range: SourceRange };
  const entries: Entry[] = holders.flatMap((holder) =>
    holder.sources.flatMap((source, index) => {
      const range = sourceRange(source.cidr);
      return range ? [{ holder, index, source, range }] : [];
    }),
  );
  const side = (e: Entry): ConflictSide => ({
    kind: e.holder.kind,
    id: e.holder.id,
    customer_id: e.holder.customer_id,
    field: `allowed_sources.${e.index}`,
    cidr: e.source.cidr,
    port: e.source.port ?? null,
  });
  const pairs: ConflictPair[] = [];
  for (const v6 of [false, true]) {
    const family = entries
      .filter((e) => e.range.v6 === v6)
      .sort((a, b) => compareBytes(a.range.bytes, b.range.bytes) || a.range.bits - b.range.bits);
    const stack: Entry[] = [];
    for (const entry of family) {
      while (stack.length > 0 && !rangeContains(stack[stack.length - 1]!.range, entry.range)) stack.pop();
      for (const outer of stack) {
        if (outer.holder === entry.holder || !portsOverlap(outer.source.port, entry.source.port)) continue;
        const reason = clash(outer.holder, entry.holder);
        if (reason) pairs.push({ a: side(outer), b: side(entry), reason });
      }
      stack.push(entry);
    }
  }
  const order = (p: ConflictPair) => `${p.a.kind}#${p.a.id}#${p.a.field}|${p.b.kind}#${p.b.id}#${p.b.field}`;
  return pairs.sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0));
}

/** Every stored IPBX and provider as the decision sees them (the list index), for the check endpoint. */
export async function listHolders(store: Store): Promise<SourceHolder[]> {
  const [ipbxs, providers] = await Promise.all(
    (['ipbx', 'provider'] as const).map(async (kind) =>
      (await queryAll(store, listPartition(kind))).map((item) => holderOf(kind, item['doc'] as Doc)),
    ),
  );
  return [...ipbxs!, ...providers!];
}
