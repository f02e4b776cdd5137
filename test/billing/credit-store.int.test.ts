import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../functions/store';
import { chargeCall, hold, listMovements, moveBalance, readAccount } from '../../functions/store/credit';
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

  it('chargeCall draws a record once: the balance, the spend, the hold and one movement', async () => {
    const c = randomUUID();
    await moveBalance(store, c, {
      amount: '1',
      note: 'top-up',
      by: 'operator',
      at: '2026-12-05T09:00:00.000Z',
    });
    const before = await readAccount(store, c, NOW);
    expect(await hold(store, c, 'call-1', '0.5', NOW / 1000 + 600, before.version)).toBe(true);
    expect((await readAccount(store, c, NOW)).held).toBe('0.5');

    const [first, second] = await Promise.all([
      charge(c, 'cdr-1', 'call-1', '0.066667', '0.05'),
      charge(c, 'cdr-1', 'call-1', '0.066667', '0.05'),
    ]);
    expect([first.charged, second.charged].sort()).toEqual([false, true]);
    const done = first.charged ? first : second;
    expect(done).toMatchObject({
      spendToday: '0.066667',
      spendBefore: '0',
      dailyLimit: '0.05',
      crossedDailyLimit: true,
      balance: '0.933333',
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
    const first = await charge(c, 'cdr-a', 'call-a', '0.2');
    expect(first).toMatchObject({
      charged: true,
      dailyLimit: null,
      crossedDailyLimit: false,
      balance: '-0.2',
    });
  });

  it('a price of 0 releases the hold without a movement', async () => {
    const c = randomUUID();
    const account = await readAccount(store, c, NOW);
    await hold(store, c, 'call-z', '0.3', NOW / 1000 + 600, account.version);
    expect((await charge(c, 'cdr-z', 'call-z', '0')).charged).toBe(true);
    expect((await readAccount(store, c, NOW)).held).toBe('0');
    expect((await listMovements(store, c, 10)).items).toEqual([]);
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
});
