import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Big } from 'big.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../functions/store';
import {
  type CallCharge,
  chargeCall,
  chargeCalls,
  hold,
  listMovements,
  moveBalance,
  readAccount,
} from '../../functions/store/credit';
import { keys } from '../../functions/store/keys';
import { freshStore } from '../api/store-fixture';

const NOW = Date.parse('2026-12-05T10:00:00Z');
const DAY = '2026-12-05';

describe('credit store (DynamoDB Local)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore();
  });

  const charge = (customerId: string, cdrId: string, callId: string, amount: string, limit?: string | null) =>
    chargeCall(store, {
      customerId,
      cdrId,
      callId,
      amount,
      currency: 'USD',
      day: DAY,
      at: '2026-12-05T10:01:00.000Z',
      ...(limit !== undefined ? { dailySpendLimit: limit } : {}),
    });

  it('a new account reads as zero at version 0', async () => {
    expect(await readAccount(store, randomUUID(), NOW)).toEqual({
      balance: '0',
      held: '0',
      holds: [],
      spendToday: '0',
      version: 0,
      currency: null,
    });
  });

  /** A new account credited with 1 that holds 0.5 for `callId`. */
  const creditedWithHold = async (callId: string) => {
    const c = randomUUID();
    await moveBalance(store, c, {
      amount: '1',
      note: 'top-up',
      by: 'operator',
      at: '2026-12-05T09:00:00.000Z',
    });
    const before = await readAccount(store, c, NOW);
    expect(await hold(store, c, callId, '0.5', NOW / 1000 + 600, before.version)).toBe(true);
    expect((await readAccount(store, c, NOW)).held).toBe('0.5');
    return c;
  };

  it('chargeCall draws a record once: the balance, the spend, the hold and one movement', async () => {
    const c = await creditedWithHold('call-1');

    const [first, second] = await Promise.all([
      charge(c, 'cdr-1', 'call-1', '0.066667', '0.05'),
      charge(c, 'cdr-1', 'call-1', '0.066667', '0.05'),
    ]);
    expect([first.charged, second.charged].sort()).toEqual([false, true]);
    const done = first.charged ? first : second;
    expect(done).toEqual({ charged: true, spendToday: '0.066667', dailyLimit: '0.05' });
    // The one not charged answers the day's spend as it stands.
    expect(first.charged ? second : first).toEqual({
      charged: false,
      spendToday: '0.066667',
      dailyLimit: '0.05',
    });
    // A third posting of the same record changes nothing.
    expect((await charge(c, 'cdr-1', 'call-1', '0.066667')).charged).toBe(false);

    const account = await readAccount(store, c, NOW);
    expect(account).toMatchObject({
      balance: '0.933333',
      held: '0',
      spendToday: '0.066667',
      currency: 'USD',
    });
    const moves = await listMovements(store, c, 10);
    expect(moves.items.map((m) => [m.kind, m.amount, m.balance_after, m.cdr_id])).toEqual([
      ['call', '-0.066667', '0.933333', 'cdr-1'],
      ['credit', '1', '1', undefined],
    ]);
  });

  it('chargeCall reads the daily limit of the stored customer when not given', async () => {
    const c = randomUUID();
    // The item as the customers' repository stores it: the customer in `doc`.
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          ...keys.object('customer', c),
          kind: 'customer',
          doc: {
            id: c,
            name: 'Limited Co',
            rate_plan_id: randomUUID(),
            billing: { mode: 'postpaid', credit_limit: null, daily_spend_limit: '0.1' },
          },
        },
      }),
    );
    expect(await charge(c, 'cdr-a', 'call-a', '0.2')).toEqual({
      charged: true,
      spendToday: '0.2',
      dailyLimit: '0.1',
    });
    // A customer not stored has no limit.
    expect((await charge(randomUUID(), 'cdr-b', 'call-b', '0.2')).dailyLimit).toBeNull();
  });

  it('a price of 0 releases the hold without a movement', async () => {
    const c = randomUUID();
    const account = await readAccount(store, c, NOW);
    await hold(store, c, 'call-z', '0.3', NOW / 1000 + 600, account.version);
    expect((await charge(c, 'cdr-z', 'call-z', '0')).charged).toBe(true);
    expect((await readAccount(store, c, NOW)).held).toBe('0');
    expect((await listMovements(store, c, 10)).items).toEqual([]);
    // Without a currency (a call whose customer lost its plan): the hold released, the account's
    // currency untouched.
    const again = await readAccount(store, c, NOW);
    await hold(store, c, 'call-y', '0.3', NOW / 1000 + 600, again.version);
    const [free] = await chargeCalls(store, c, [
      {
        cdrId: 'cdr-y',
        callId: 'call-y',
        amount: '0',
        currency: null,
        day: DAY,
        at: '2026-12-05T10:02:00.000Z',
      },
    ]);
    expect(free?.charged).toBe(true);
    expect(await readAccount(store, c, NOW)).toMatchObject({ held: '0', balance: '0', currency: 'USD' });
  });

  it('a hold written against an old version is refused; an expired hold holds nothing', async () => {
    const c = randomUUID();
    const v0 = (await readAccount(store, c, NOW)).version;
    expect(await hold(store, c, 'a', '0.1', NOW / 1000 + 60, v0)).toBe(true);
    expect(await hold(store, c, 'b', '0.1', NOW / 1000 + 60, v0)).toBe(false);
    const account = await readAccount(store, c, NOW);
    expect(account.held).toBe('0.1');
    // The call re-decided replaces its own hold.
    expect(await hold(store, c, 'a', '0.25', NOW / 1000 + 60, account.version)).toBe(true);
    expect((await readAccount(store, c, NOW)).held).toBe('0.25');
    expect((await readAccount(store, c, NOW + 61_000)).held).toBe('0');
  });

  it('an idempotency key moves the balance once; another body with it is a 409', async () => {
    const c = randomUUID();
    const request = { amount: '5.5', note: 'wire 42', by: 'operator', idempotencyKey: 'k-1' };
    const [a, b] = await Promise.all([moveBalance(store, c, request), moveBalance(store, c, request)]);
    expect(a.movement).toEqual(b.movement);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect((await readAccount(store, c, NOW)).balance).toBe('5.5');
    await expect(moveBalance(store, c, { ...request, amount: '6' })).rejects.toMatchObject({ status: 409 });
    const debit = await moveBalance(store, c, { amount: '-0.5', note: 'fee', by: 'key-1' });
    expect(debit).toMatchObject({ balance: '5', movement: { kind: 'debit', amount: '-0.5', by: 'key-1' } });
  });

  it('lists movements newest first, paged', async () => {
    const c = randomUUID();
    for (let i = 1; i <= 3; i++) {
      await moveBalance(store, c, {
        amount: String(i),
        note: `n${i}`,
        by: 'operator',
        at: `2026-12-0${i}T00:00:00.000Z`,
      });
    }
    const first = await listMovements(store, c, 2);
    expect(first.items.map((m) => m.note)).toEqual(['n3', 'n2']);
    const second = await listMovements(store, c, 2, first.nextPageToken);
    expect(second).toEqual({
      items: [expect.objectContaining({ note: 'n1', balance_after: '1' })],
      nextPageToken: '',
    });
  });

  /**
   * `n` records from `from`: amounts 0.010001, 0.010002, … with every tenth 0 (unanswered), the
   * first half on DAY and the second on the day after; 3 actions a record, 2 for a zero.
   */
  const records = (n: number, from = 0): CallCharge[] =>
    Array.from({ length: n }, (_, k) => {
      const i = from + k;
      return {
        cdrId: `cdr-${String(i).padStart(3, '0')}`,
        callId: `call-${i}`,
        amount: i % 10 === 0 ? '0' : new Big(i).div(1_000_000).plus('0.01').toFixed(6),
        currency: 'USD',
        day: i < 30 ? DAY : '2026-12-06',
        at: '2026-12-06T12:00:00.000Z',
      };
    });
  const total = (list: CallCharge[]) => list.reduce((sum, c) => sum.plus(c.amount), new Big(0));
  const spendOf = (list: CallCharge[], day: string) => total(list.filter((c) => c.day === day));
  const markers = async (c: string) => {
    const out = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :c)',
        ExpressionAttributeValues: { ':pk': keys.credit(c), ':c': 'CHARGE#' },
        ConsistentRead: true,
      }),
    );
    return out.Items ?? [];
  };

  it('chargeCalls draws 60 records of one customer in one call, as chargeCall would one by one', async () => {
    const c = await creditedWithHold('call-7');
    const list = records(60);
    // 60 records and their holds and movements are more than one transaction of 100 actions.
    const results = await chargeCalls(store, c, [...list, list[3]!], { dailySpendLimit: '0.2' });

    // Per record, in order: the balance and the day's spend after it.
    let balance = new Big(1);
    const balances: string[] = [];
    const spend = new Map<string, Big>();
    const expected = list.map((r) => {
      const spendToday = (spend.get(r.day) ?? new Big(0)).plus(r.amount);
      spend.set(r.day, spendToday);
      balance = balance.minus(r.amount);
      balances.push(balance.toString());
      return { charged: true, spendToday: spendToday.toString(), dailyLimit: '0.2' };
    });
    expect(results.slice(0, 60)).toEqual(expected);
    // The record listed twice is charged once: it answers its day's spend as it stands.
    expect(results[60]).toEqual({
      charged: false,
      spendToday: spendOf(list, list[3]!.day).toString(),
      dailyLimit: '0.2',
    });

    const day1 = spendOf(list, DAY).toString();
    expect(await readAccount(store, c, NOW)).toMatchObject({
      balance: new Big(1).minus(total(list)).toString(),
      held: '0',
      spendToday: day1,
      currency: 'USD',
    });
    expect((await readAccount(store, c, Date.parse('2026-12-06T10:00:00Z'))).spendToday).toBe(
      spendOf(list, '2026-12-06').toString(),
    );
    expect(await markers(c)).toHaveLength(60);
    // One movement per priced record, newest first: the balance after each in the order charged.
    const moves = (await listMovements(store, c, 100)).items;
    const priced = list.filter((r) => r.amount !== '0');
    expect(moves.map((m) => [m.cdr_id, m.amount, m.balance_after])).toEqual([
      ...[...expected.entries()]
        .filter(([i]) => list[i]!.amount !== '0')
        .map(([i]): (string | undefined)[] => [list[i]!.cdrId, `-${list[i]!.amount}`, balances[i]])
        .reverse(),
      [undefined, '1', '1'],
    ]);
    expect(moves).toHaveLength(priced.length + 1);
  });

  it('chargeCalls with the same records again charges nothing', async () => {
    const c = randomUUID();
    const list = records(60);
    const first = await chargeCalls(store, c, list, { dailySpendLimit: null });
    expect(first.every((r) => r.charged)).toBe(true);
    const again = await chargeCalls(store, c, list, { dailySpendLimit: null });
    const balance = new Big(0).minus(total(list)).toString();
    expect(again.every((r) => !r.charged)).toBe(true);
    // Not charged: the day's spend as it stands (what an alert missed by an earlier try needs).
    expect(again[0]).toEqual({ charged: false, spendToday: spendOf(list, DAY).toString(), dailyLimit: null });
    expect(await readAccount(store, c, NOW)).toMatchObject({
      balance,
      spendToday: spendOf(list, DAY).toString(),
    });
    expect(await listMovements(store, c, 100).then((m) => m.items)).toHaveLength(54);
  });

  it('overlapping calls in parallel, and a top-up among them, charge each record once', async () => {
    const c = randomUUID();
    const a = records(60);
    const b = records(60, 30);
    const one = records(1, 45);
    const [ra, rb, rc] = await Promise.all([
      chargeCalls(store, c, a, { dailySpendLimit: null }),
      chargeCalls(store, c, b, { dailySpendLimit: null }),
      chargeCalls(store, c, one, { dailySpendLimit: null }),
      moveBalance(store, c, { amount: '10', note: 'top-up', by: 'operator' }),
    ]);
    const all = records(90);
    const chargedIds = [...ra, ...rb, ...rc].flatMap((r, k) =>
      r.charged ? [[...a, ...b, ...one][k]!.cdrId] : [],
    );
    expect(chargedIds.sort()).toEqual(all.map((r) => r.cdrId));
    expect(await readAccount(store, c, NOW)).toMatchObject({
      balance: new Big(10).minus(total(all)).toString(),
      spendToday: spendOf(all, DAY).toString(),
    });
    expect((await readAccount(store, c, Date.parse('2026-12-06T10:00:00Z'))).spendToday).toBe(
      spendOf(all, '2026-12-06').toString(),
    );
    expect(await markers(c)).toHaveLength(90);
    const moves = (await listMovements(store, c, 200)).items.filter((m) => m.kind === 'call');
    expect(moves.map((m) => m.cdr_id).sort()).toEqual(
      all.filter((r) => r.amount !== '0').map((r) => r.cdrId),
    );
  });
});
