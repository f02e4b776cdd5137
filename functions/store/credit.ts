import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { Big } from 'big.js';
import { addMoney, subtractMoney } from '../billing/money';
import type { AuditContext } from '../domain/audit-event';
import type { CustomerBilling } from '../domain/customer-billing';
import { auditOp } from './audit-events';
import { backoff } from './backoff';
import type { Store } from './client';
import { chargedAlready } from './credit-charges';
import { conflict, HttpError } from './errors';
import { keys } from './keys';
import { type Page, queryPage } from './pagination';

/**
 * A customer's credit account (docs/billing.md, "Credit"), one partition `keys.credit(customer)`:
 *
 * - `BALANCE`: `balance` (decimal string) and `version`, which every write of the account moves;
 * - `HOLD#<call_id>`: money a call in progress holds, `{ amount, expires_at }` (epoch seconds,
 *   the table's TTL attribute: DynamoDB deletes a hold whose call never sent its record);
 * - `SPEND#<yyyy-mm-dd>`: `{ amount }` charged for calls that UTC day;
 * - `CHARGE#<cdr id>`: a record already charged (exactly once);
 * - `MOVE#<time>#<id>`: the audit trail, one movement per credit, debit or charged call;
 * - `REQUEST#<idempotency key>`: a balance request already applied.
 *
 * Every write is read → computed with big.js → one transaction conditioned on the version read,
 * retried on conflict: two writers never both use the same money.
 */

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type CreditHold = { callId: string; amount: string; expiresAt: number };

export type CreditAccount = {
  balance: string;
  /** The sum of unexpired holds. */
  held: string;
  /** Unexpired holds, by call. */
  holds: CreditHold[];
  /** Charged for calls in the UTC day of `nowMs`. */
  spendToday: string;
  /** 0 while the account was never written. */
  version: number;
  /** The currency of the last call charged; null before any. */
  currency: string | null;
};

export type MovementKind = 'credit' | 'debit' | 'call';

/** One line of the audit trail. */
export type Movement = {
  id: string;
  at: string;
  /** Signed: what the balance moved by. */
  amount: string;
  kind: MovementKind;
  note: string;
  /** `operator`, the API key id that asked, or `cdr` for a call. */
  by: string;
  cdr_id?: string;
  /** The call's currency (calls only). */
  currency?: string;
  balance_after: string;
};

/**
 * How many times a write of a credit account (a charge, a balance move, a decision's hold) reads
 * the account again after another writer moved it first; then CreditContention.
 */
export const CREDIT_ATTEMPTS = 10;

/** The UTC day (`yyyy-mm-dd`) of an epoch ms. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function getItem(store: Store, key: { PK: string; SK: string }) {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: key, ConsistentRead: true }),
  );
  return out.Item;
}

async function readBalance(store: Store, customerId: string) {
  const item = await getItem(store, keys.creditBalance(customerId));
  return {
    balance: typeof item?.['balance'] === 'string' ? item['balance'] : '0',
    version: Number(item?.['version'] ?? 0),
    currency: typeof item?.['currency'] === 'string' ? item['currency'] : null,
  };
}

async function readSpend(store: Store, customerId: string, day: string): Promise<string> {
  const item = await getItem(store, keys.creditSpend(customerId, day));
  return typeof item?.['amount'] === 'string' ? item['amount'] : '0';
}

async function readHolds(store: Store, customerId: string): Promise<CreditHold[]> {
  const holds: CreditHold[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :hold)',
        ExpressionAttributeValues: { ':pk': keys.credit(customerId), ':hold': 'HOLD#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      holds.push({
        callId: String(item['SK']).slice('HOLD#'.length),
        amount: String(item['amount']),
        expiresAt: Number(item['expires_at']),
      });
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return holds;
}

/**
 * The account as one consistent view: `BALANCE` first, then the holds and the day's spend. Every
 * write of those moves the version, so a write conditioned on the version read here fails if any
 * of them changed since (the later reads can only be newer, never older, than the version).
 *
 * @example
 * const { balance, held, spendToday, version } = await readAccount(store, customerId, Date.now());
 */
export async function readAccount(store: Store, customerId: string, nowMs: number): Promise<CreditAccount> {
  const { balance, version, currency } = await readBalance(store, customerId);
  const [all, spendToday] = await Promise.all([
    readHolds(store, customerId),
    readSpend(store, customerId, utcDay(nowMs)),
  ]);
  const holds = all.filter((h) => h.expiresAt * 1000 > nowMs);
  return {
    balance,
    held: addMoney('0', ...holds.map((h) => h.amount)),
    holds,
    spendToday,
    version,
    currency,
  };
}

/** The BALANCE update of a write: the next version, on the condition the version is still the one read. */
function balanceUpdate(
  store: Store,
  customerId: string,
  version: number,
  set: Record<string, unknown> = {},
): TransactItem {
  const names: Record<string, string> = { '#v': 'version', '#k': 'kind' };
  const values: Record<string, unknown> = { ':next': version + 1, ':kind': 'credit_balance' };
  const sets = ['#v = :next', '#k = :kind'];
  // The balance of an account never written reads as 0: a hold may be its first write.
  const fields = { balance: undefined, ...set } as Record<string, unknown>;
  Object.entries(fields).forEach(([field, value], i) => {
    names[`#s${i}`] = field;
    values[`:s${i}`] = value ?? '0';
    sets.push(value === undefined ? `#s${i} = if_not_exists(#s${i}, :s${i})` : `#s${i} = :s${i}`);
  });
  if (version !== 0) values[':v'] = version;
  return {
    Update: {
      TableName: store.tableName,
      Key: keys.creditBalance(customerId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: version === 0 ? 'attribute_not_exists(#v)' : '#v = :v',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Runs one transaction: `ok`, or the index of the item whose condition failed, or `conflict` when
 * another transaction on the same items was in flight (retry).
 */
async function tryTransact(store: Store, items: TransactItem[]): Promise<'ok' | 'conflict' | number> {
  try {
    await store.doc.send(new TransactWriteCommand({ TransactItems: items }));
    return 'ok';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
    if (failed >= 0) return failed;
    if (reasons.some((r) => r.Code === 'TransactionConflict')) return 'conflict';
    throw error;
  }
}

/** Another writer kept moving the account: the caller may try again (HTTP 503 for the API). */
export class CreditContention extends HttpError {
  constructor(customerId: string) {
    super(503, 'Service Unavailable', `the credit account of customer ${customerId} is busy; retry`);
    this.name = 'CreditContention';
  }
}

/**
 * Holds `amount` for a call until `expiresAt` (epoch seconds), replacing the call's own earlier
 * hold; written only if the account is still at `expectedVersion`. False: another writer moved the
 * account since it was read (read again and decide again).
 *
 * @example
 * if (!(await hold(store, customerId, callId, '0.05', expiresAt, account.version))) retry();
 */
export async function hold(
  store: Store,
  customerId: string,
  callId: string,
  amount: string,
  expiresAt: number,
  expectedVersion: number,
): Promise<boolean> {
  const outcome = await tryTransact(store, [
    balanceUpdate(store, customerId, expectedVersion),
    {
      Put: {
        TableName: store.tableName,
        Item: { ...keys.creditHold(customerId, callId), kind: 'credit_hold', amount, expires_at: expiresAt },
      },
    },
  ]);
  return outcome === 'ok';
}

export type ChargeCall = {
  customerId: string;
  /** The record's id: a record is charged once, however often it is posted or rated. */
  cdrId: string;
  /** The call's Call-ID: its hold (`HOLD#<call_id>`) is released. */
  callId: string;
  /** The call's price (≥ 0, the sell side); `"0"` for a call not answered or not priced. */
  amount: string;
  /**
   * The price's currency (the rate plan's); null only for an amount of `"0"` without a plan (a
   * call whose customer lost its plan after the decision held its credit: the hold is released).
   */
  currency: string | null;
  /** The UTC day whose spend the price counts to (`yyyy-mm-dd`). */
  day: string;
  /** When it is charged (ISO 8601): the movement's time. */
  at: string;
  /**
   * The customer's `billing.daily_spend_limit` when the caller has the customer at hand; left
   * out, it is read from the stored customer (one more read).
   */
  dailySpendLimit?: string | null;
};

/** One record of `chargeCalls` (its customer is the call's). */
export type CallCharge = Omit<ChargeCall, 'customerId' | 'dailySpendLimit'>;

export type ChargeResult = {
  /** False: the record was charged before (nothing changed). */
  charged: boolean;
  /**
   * The day's spend after this charge; when not charged, as it stands (a record charged by an
   * earlier try whose alert was not raised still finds the limit reached).
   */
  spendToday: string;
  /** The customer's daily spend limit; null: none. */
  dailyLimit: string | null;
};

/** DynamoDB's limit of actions in one transaction. */
const TRANSACTION_ACTIONS = 100;

/**
 * Draws a rated call from the balance, exactly once per record (a `CHARGE#<cdr id>` marker written
 * in the same transaction): balance −= amount, the day's spend += amount, the call's hold is
 * released, and a `call` movement is written (none for an amount of 0). Call it for EVERY stored
 * record that has a customer, priced 0 included: that releases the hold its decision took. Many
 * records of one customer: `chargeCalls` (a few round trips for all of them).
 *
 * @example
 * const r = await chargeCall(store, { customerId, cdrId: cdr.id, callId: cdr.call_id, amount: '0.034',
 *   currency: 'USD', day: cdrDay(cdr.tm_invite), at: new Date().toISOString() });
 * if (r.dailyLimit !== null && compareMoney(r.spendToday, r.dailyLimit) >= 0) alert(customerId, r.spendToday);
 */
export async function chargeCall(store: Store, input: ChargeCall): Promise<ChargeResult> {
  const { customerId, dailySpendLimit, ...charge } = input;
  const [result] = await chargeCalls(
    store,
    customerId,
    [charge],
    dailySpendLimit !== undefined ? { dailySpendLimit } : {},
  );
  return result!;
}

/**
 * `chargeCall` for many records of ONE customer, in order, with the same exactly-once guarantee
 * and the same result per record (a record listed twice is charged once). The round trips are a
 * few for the lot, not a few per record: one read of the `CHARGE#` markers (100 a request), one
 * consistent read of the account (`BALANCE` and the `SPEND#` of the records' days, a transactional
 * get), then transactions of up to 100 actions, each a chunk of records (their markers, hold
 * releases and movements) with the `BALANCE` update conditioned on the version and one `SPEND#`
 * update per day. Chunks follow each other version by version; when one is cancelled (another
 * writer moved the account, or a concurrent batch charged one of its records first) the markers and
 * the account are read again and the records not yet charged go on from there.
 *
 * Movements of one call share their time; their key's id is the record's position in the call and
 * its id (`MOVE#<at>#<nnnnnn>#<cdr id>`), so the movements list in the order they were charged.
 *
 * @example
 * const results = await chargeCalls(store, customerId, charges, { dailySpendLimit: '50' });
 */
export async function chargeCalls(
  store: Store,
  customerId: string,
  charges: readonly CallCharge[],
  options: { dailySpendLimit?: string | null } = {},
): Promise<ChargeResult[]> {
  const dailyLimit =
    options.dailySpendLimit !== undefined
      ? options.dailySpendLimit
      : await storedDailyLimit(store, customerId);
  const result = (charged: boolean, spendToday: string): ChargeResult => ({
    charged,
    spendToday,
    dailyLimit,
  });
  const results: (ChargeResult | undefined)[] = charges.map(() => undefined);
  /** The first position of each record id: a repeat is answered as already charged. */
  const first = new Map<string, number>();
  charges.forEach((c, i) => {
    if (!first.has(c.cdrId)) first.set(c.cdrId, i);
  });
  let failures = 0;
  /** The days' spend as this call last read or wrote it: what a repeated record answers. */
  const latest = new Map<string, string>();
  for (;;) {
    const open = [...first.values()].filter((i) => results[i] === undefined);
    if (open.length === 0) break;
    // The account is read in one transactional get (≤ 100 items): records of more days than that
    // wait for the next round.
    const days = [...new Set(open.map((i) => charges[i]!.day))].slice(0, TRANSACTION_ACTIONS - 1);
    const pending = open.filter((i) => days.includes(charges[i]!.day));
    const done = await chargedAlready(
      store,
      pending.map((i) => ({ customerId, cdrId: charges[i]!.cdrId })),
    );
    const account = await readCharging(store, customerId, days);
    let { balance, version } = account;
    const spend = account.spend;
    for (const [day, amount] of spend) latest.set(day, amount);
    const todo: number[] = [];
    for (const i of pending) {
      const c = charges[i]!;
      if (done.has(c.cdrId)) {
        results[i] = result(false, spend.get(c.day) ?? '0');
      } else todo.push(i);
    }
    let cancelled = false;
    while (todo.length > 0 && !cancelled) {
      const chunk = nextChunk(charges, todo);
      const planned: { i: number; result: ChargeResult }[] = [];
      const items: TransactItem[] = [];
      const holds = new Set<string>();
      const chunkSpend = new Map(spend);
      let after = balance;
      for (const i of chunk) {
        const c = charges[i]!;
        const before = chunkSpend.get(c.day) ?? '0';
        const spendAfter = addMoney(before, c.amount);
        after = subtractMoney(after, c.amount);
        chunkSpend.set(c.day, spendAfter);
        planned.push({ i, result: result(true, spendAfter) });
        items.push({
          Put: {
            TableName: store.tableName,
            Item: {
              ...keys.creditCharge(customerId, c.cdrId),
              kind: 'credit_charge',
              amount: c.amount,
              at: c.at,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        });
        // Two records of one call (one transaction may not touch an item twice): one release.
        if (!holds.has(c.callId)) {
          holds.add(c.callId);
          items.push({ Delete: { TableName: store.tableName, Key: keys.creditHold(customerId, c.callId) } });
        }
        if (!new Big(c.amount).eq(0)) {
          items.push(
            put(store, {
              ...keys.creditMove(customerId, c.at, `${String(i).padStart(6, '0')}#${c.cdrId}`),
              kind: 'credit_move',
              doc: {
                id: c.cdrId,
                at: c.at,
                amount: subtractMoney('0', c.amount),
                kind: 'call',
                note: '',
                by: 'cdr',
                cdr_id: c.cdrId,
                ...(c.currency !== null ? { currency: c.currency } : {}),
                balance_after: after,
              } satisfies Movement,
            }),
          );
        }
      }
      const currency = chunk.map((i) => charges[i]!.currency).findLast((c) => c !== null);
      items.push(
        balanceUpdate(store, customerId, version, { balance: after, ...(currency ? { currency } : {}) }),
      );
      for (const day of new Set(chunk.map((i) => charges[i]!.day))) {
        items.push(
          put(store, {
            ...keys.creditSpend(customerId, day),
            kind: 'credit_spend',
            amount: chunkSpend.get(day),
          }),
        );
      }
      const outcome = await tryTransact(store, items);
      if (outcome === 'ok') {
        for (const p of planned) results[p.i] = p.result;
        for (const [day, amount] of chunkSpend) spend.set(day, amount);
        balance = after;
        version++;
        for (const [day, amount] of chunkSpend) latest.set(day, amount);
        todo.splice(0, chunk.length);
        failures = 0;
      } else {
        // Another writer moved the account, or charged one of these records: read both again.
        cancelled = true;
        if (++failures >= CREDIT_ATTEMPTS) throw new CreditContention(customerId);
        await backoff(failures);
      }
    }
  }
  return charges.map((c, i) => {
    const own = results[i];
    if (own) return own;
    // A repeat of a record earlier in the list: charged (if at all) by that one.
    return result(false, latest.get(c.day) ?? '0');
  });
}

/**
 * The records of `todo` (in order) that fit one transaction: per record its marker, its hold
 * release and its movement when the amount is not 0; per transaction the `BALANCE` update and one
 * `SPEND#` update per day.
 */
function nextChunk(charges: readonly CallCharge[], todo: readonly number[]) {
  const chunk: number[] = [];
  const days = new Set<string>();
  const holds = new Set<string>();
  let actions = 1;
  for (const i of todo) {
    const c = charges[i]!;
    const cost =
      1 + (holds.has(c.callId) ? 0 : 1) + (new Big(c.amount).eq(0) ? 0 : 1) + (days.has(c.day) ? 0 : 1);
    if (actions + cost > TRANSACTION_ACTIONS) break;
    actions += cost;
    chunk.push(i);
    days.add(c.day);
    holds.add(c.callId);
  }
  return chunk;
}

/**
 * `BALANCE` and the `SPEND#` items of `days` (at most 99) as one snapshot, a transactional get: a
 * charge conditioned on the version read computes every day's spend from values of that version.
 */
async function readCharging(store: Store, customerId: string, days: readonly string[]) {
  const items = [keys.creditBalance(customerId), ...days.map((d) => keys.creditSpend(customerId, d))];
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await store.doc.send(
        new TransactGetCommand({
          TransactItems: items.map((Key) => ({ Get: { TableName: store.tableName, Key } })),
        }),
      );
      const [head, ...rest] = out.Responses ?? [];
      const amountOf = (value: unknown) => (typeof value === 'string' ? value : '0');
      return {
        balance: amountOf(head?.Item?.['balance']),
        version: Number(head?.Item?.['version'] ?? 0),
        spend: new Map(days.map((d, k) => [d, amountOf(rest[k]?.Item?.['amount'])])),
      };
    } catch (error) {
      // A write of the account in flight cancels the read: read again once it is through.
      if (!(error instanceof TransactionCanceledException) || attempt >= CREDIT_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

async function storedDailyLimit(store: Store, customerId: string): Promise<string | null> {
  const item = await getItem(store, keys.object('customer', customerId));
  const billing = (item?.['doc'] as { billing?: CustomerBilling } | undefined)?.billing;
  return billing?.daily_spend_limit ?? null;
}

const put = (store: Store, item: Record<string, unknown>): TransactItem => ({
  Put: { TableName: store.tableName, Item: item },
});

export type MoveBalance = {
  /** Signed, non-zero: credit added (> 0) or removed (< 0). */
  amount: string;
  note: string;
  /** Who asked: `operator` or an API key id. */
  by: string;
  /** A retried request with the same key moves the balance once and answers the same movement. */
  idempotencyKey?: string | undefined;
  /** When (ISO 8601); now by default. */
  at?: string;
  /** The movement's id (tests); a random UUID by default. */
  id?: string;
  /** Who asked and from where: the move's audit event, written in its transaction (docs/audit.md). */
  audit?: AuditContext | undefined;
};

/**
 * Adds (amount > 0) or removes (amount < 0) credit, with a `credit`/`debit` movement. With an
 * idempotency key, a request already applied answers its movement again (`replayed`) and changes
 * nothing; the same key with another amount or note is a 409.
 *
 * @example
 * const { movement, balance } = await moveBalance(store, customerId, { amount: '10', note: 'top-up', by: 'operator' });
 */
export async function moveBalance(
  store: Store,
  customerId: string,
  request: MoveBalance,
): Promise<{ movement: Movement; balance: string; replayed: boolean }> {
  const replay = async () => {
    const done = request.idempotencyKey
      ? await getItem(store, keys.creditRequest(customerId, request.idempotencyKey))
      : undefined;
    if (!done) return undefined;
    const movement = done['doc'] as Movement;
    if (new Big(movement.amount).cmp(request.amount) !== 0 || movement.note !== request.note) {
      throw conflict('the Idempotency-Key was used before with another amount or note');
    }
    return { movement, balance: (await readBalance(store, customerId)).balance, replayed: true };
  };
  const before = await replay();
  if (before) return before;
  const at = request.at ?? new Date().toISOString();
  const id = request.id ?? randomUUID();
  for (let attempt = 1; attempt <= CREDIT_ATTEMPTS; attempt++) {
    const { balance, version } = await readBalance(store, customerId);
    const after = addMoney(balance, request.amount);
    const movement: Movement = {
      id,
      at,
      amount: addMoney(request.amount),
      kind: request.amount.startsWith('-') ? 'debit' : 'credit',
      note: request.note,
      by: request.by,
      balance_after: after,
    };
    const items: TransactItem[] = [
      balanceUpdate(store, customerId, version, { balance: after }),
      put(store, { ...keys.creditMove(customerId, at, id), kind: 'credit_move', doc: movement }),
    ];
    if (request.idempotencyKey) {
      items.push({
        Put: {
          TableName: store.tableName,
          Item: {
            ...keys.creditRequest(customerId, request.idempotencyKey),
            kind: 'credit_request',
            doc: movement,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      });
    }
    // Last, so a failed condition's index still names the balance (0) or the request (2).
    if (request.audit) {
      const change = {
        action: 'adjust' as const,
        resource: 'balance' as const,
        resource_id: customerId,
        customer_id: customerId,
        before: { balance },
        after: { balance: after, amount: movement.amount, note: movement.note, movement_id: id },
      };
      items.push(auditOp(store.tableName, request.audit, change, new Date(at)).op.item);
    }
    const outcome = await tryTransact(store, items);
    if (outcome === 'ok') return { movement, balance: after, replayed: false };
    if (outcome === 2) {
      const again = await replay();
      if (again) return again;
    }
    await backoff(attempt);
  }
  throw new CreditContention(customerId);
}

/**
 * One page of the account's movements, newest first.
 *
 * @example
 * const { items, nextPageToken } = await listMovements(store, customerId, 50);
 */
export async function listMovements(
  store: Store,
  customerId: string,
  pageSize: number,
  pageToken?: string,
): Promise<{ items: Movement[]; nextPageToken: string }> {
  const page: Page = await queryPage(
    store,
    { partition: keys.credit(customerId), sortKeyPrefix: 'MOVE#', descending: true },
    pageSize,
    pageToken,
  );
  return { items: page.items.map((i) => i['doc'] as Movement), nextPageToken: page.nextPageToken };
}

/**
 * The account functions the decision needs, bound to one store (decision/http/credit-check.ts).
 *
 * @example
 * const deps = { ...routingDeps, credit: creditAccounts(store) };
 */
export function creditAccounts(store: Store) {
  return {
    read: (customerId: string, nowMs: number) => readAccount(store, customerId, nowMs),
    hold: (customerId: string, callId: string, amount: string, expiresAt: number, expectedVersion: number) =>
      hold(store, customerId, callId, amount, expiresAt, expectedVersion),
  };
}
