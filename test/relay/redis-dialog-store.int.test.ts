import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Dialog } from '../../edge-relay/dialog/dialog';
import {
  createRedisDialogStore,
  type RedisDialogStoreOptions,
} from '../../edge-relay/dialog/redis-dialog-store';
import { createLogger } from '../../edge-relay/log';
import { startProcess } from '../../local/child-process';
import { freePort } from '../../platform/free-port';
import { startRedisServer } from '../support/redis-server';

// The Redis dialog store against a real redis-server: two stores are two relays of a cluster.
const prefix = `test-${randomBytes(4).toString('hex')}:`;
const url = inject('redisUrl');
let redis: Redis;

// Answered now: a dialog is forgotten 12 h (the default lifetime) after its answer.
const answeredAt = Date.now();
const dialog = (n: number): Dialog => ({
  call_id: `call-${n}-${prefix}@pbx.example`,
  caller_tag: `a${n}`,
  callee_tag: `b${n}`,
  caller: { transport: 'udp', address: '192.0.2.10', port: 5060 },
  callee: { transport: 'tls', address: '198.51.100.7', port: 5061 },
  cseq_offset: 1,
  media_instance: '127.0.0.1:2223',
  started_at: answeredAt + n,
});

function logged() {
  const lines: string[] = [];
  return { lines, log: createLogger('debug', (line) => lines.push(line)) };
}

/** One relay's store on the run's redis-server (a second call is a second relay of the site). */
const siteStore = (options: Partial<RedisDialogStoreOptions> = {}) =>
  createRedisDialogStore({
    url,
    keyPrefix: prefix,
    ttlS: 600,
    commandTimeoutMs: 500,
    log: logged().log,
    ...options,
  });

beforeAll(() => {
  redis = new Redis(url);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('redis dialog store', () => {
  it("lets another relay find, adopt and end a relay's dialog", async () => {
    const a = siteStore();
    const b = siteStore();
    try {
      await a.put(dialog(1));
      const key = `${prefix}dialog:${dialog(1).call_id}`;
      expect(JSON.parse((await redis.get(key)) ?? '{}')).toEqual(dialog(1));
      // The key outlives the dialog's deadline by an hour: the relay that ends it finds its record.
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(4190);
      expect(ttl).toBeLessThanOrEqual(4200);
      expect(Number(await redis.zscore(`${prefix}dialog-expiry`, dialog(1).call_id))).toBe(
        dialog(1).started_at + 600_000,
      );

      expect(await b.size()).toBe(0);
      expect(await b.get(dialog(1).call_id)).toEqual(dialog(1));
      expect(await b.size()).toBe(1); // adopted: the next request of this call needs no round trip
      expect(await b.get(dialog(2).call_id)).toBeUndefined();

      await b.delete(dialog(1).call_id);
      expect(await redis.exists(key)).toBe(0);
      expect(await b.get(dialog(1).call_id)).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('gives a dialog ended on two relays at once to one of them, with its record', async () => {
    const a = siteStore();
    const b = siteStore();
    try {
      const held = { ...dialog(3), cdr: '{"id":"record-3"}' };
      await a.put(held);
      expect(await b.get(held.call_id)).toEqual(held); // b adopted it: both hold a copy now
      const [fromA, fromB] = await Promise.all([a.take(held.call_id), b.take(held.call_id)]);
      expect([fromA, fromB].filter((d) => d !== undefined)).toEqual([held]);
      expect(await redis.zscore(`${prefix}dialog-expiry`, held.call_id)).toBeNull();
      expect(await a.take(held.call_id)).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('hands each expired dialog of the site to one relay, whichever relay set it up', async () => {
    const a = siteStore({ ttlS: 60 });
    const b = siteStore({ ttlS: 60 });
    try {
      const old = { ...dialog(4), started_at: Date.now() - 61_000, cdr: '{"id":"record-4"}' };
      const young = { ...dialog(5), started_at: Date.now() };
      await a.put(old);
      await a.put(young);
      expect(await b.get(old.call_id)).toBeUndefined(); // past its lifetime: no more routing with it
      const now = Date.now();
      const [fromA, fromB] = await Promise.all([a.takeExpired(now, 100), b.takeExpired(now, 100)]);
      expect([...fromA, ...fromB].filter((d) => d.call_id.includes(prefix))).toEqual([old]);
      expect(await a.get(young.call_id)).toEqual(young);
      expect(await redis.exists(`${prefix}dialog:${old.call_id}`)).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('ignores an unreadable entry instead of routing with it', async () => {
    const { lines, log } = logged();
    const store = createRedisDialogStore({ url, keyPrefix: prefix, ttlS: 600, commandTimeoutMs: 500, log });
    try {
      await redis.set(`${prefix}dialog:garbage@x`, '{"call_id":');
      await redis.set(`${prefix}dialog:wrong@x`, JSON.stringify({ call_id: 'wrong@x', caller: 'nope' }));
      expect(await store.get('garbage@x')).toBeUndefined();
      expect(await store.get('wrong@x')).toBeUndefined();
      expect(lines.filter((l) => l.includes('dialog in redis unreadable'))).toHaveLength(2);
    } finally {
      await store.close();
    }
  });

  it('keeps carrying its own calls while Redis is unreachable, and never logs the URL', async () => {
    const { lines, log } = logged();
    const down = `redis://:s3cret-password@127.0.0.1:${await freePort()}`;
    const store = createRedisDialogStore({
      url: down,
      keyPrefix: prefix,
      ttlS: 600,
      commandTimeoutMs: 500,
      log,
    });
    try {
      await store.put(dialog(3)); // resolves: kept in memory, the failed share is logged
      expect(await store.get(dialog(3).call_id)).toEqual(dialog(3));
      // A dialog this relay does not hold cannot be looked up: an error (500), not a false 481.
      await expect(store.get(dialog(4).call_id)).rejects.toThrow();
      await store.delete(dialog(3).call_id);
      expect(await store.size()).toBe(0);
      // One warning for the outage, not one per call or per reconnect attempt.
      expect(lines.filter((l) => l.includes('dialog redis unavailable'))).toHaveLength(1);
      expect(lines.join('\n')).not.toContain('s3cret-password');
    } finally {
      await store.close();
    }
  });
});

/** Resolves once `condition` holds; fails after `deadlineMs` (no timing asserted). */
async function until(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 20_000) {
  const end = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a promise came to within `deadlineMs`: its value, its error, or `'still waiting'` (a hang). */
async function settledWithin<T>(promise: Promise<T>, deadlineMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ state: 'still waiting' }>((r) => {
    timer = setTimeout(() => r({ state: 'still waiting' }), deadlineMs);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ state: 'answered' as const, value }),
        (error: unknown) => ({ state: 'failed' as const, error }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const entries = (lines: string[], message: string) =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === message);

// The command timeout under test, and how long a hang is given before it counts as one: a store
// without the timeout waits for a frozen Redis forever.
const TIMEOUT_MS = 300;
const HANG_MS = 5_000;

describe('redis dialog store through an outage', () => {
  it('writes every dialog put while Redis was stopped once it is back, restarted empty', async () => {
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const port = await freePort();
    const redisArgs = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const start = () =>
      startProcess('redis-server', [...redisArgs, '--requirepass', password], {
        readyPort: port,
        name: 'redis-server',
      });
    let server = await start();
    const privateUrl = `redis://:${password}@127.0.0.1:${port}`;
    const { lines, log } = logged();
    const options = { url: privateUrl, keyPrefix: prefix, ttlS: 600, commandTimeoutMs: TIMEOUT_MS };
    const a = createRedisDialogStore({ ...options, log });
    const b = createRedisDialogStore({ ...options, log: logged().log });
    try {
      const before = [1, 2, 3].map(dialog);
      for (const d of before) await a.put(d);
      await server.stop(); // no persistence: what Redis held is gone
      await until(() => entries(lines, 'dialog redis unavailable').length > 0, 'the outage warning');
      const during: Dialog[] = [];
      for (let n = 10; n < 20; n += 1) {
        during.push(dialog(n));
        await a.put(dialog(n)); // kept: the call goes on
        await new Promise((r) => setTimeout(r, 200)); // a few seconds of calls
      }
      await a.delete(before[0]!.call_id);
      expect(await a.take(before[1]!.call_id)).toEqual(before[1]); // the relay holding it ends it
      server = await start();
      await until(() => entries(lines, 'dialog redis back').length > 0, 'the recovery line');

      for (const d of [before[2]!, ...during]) expect(await b.get(d.call_id)).toEqual(d);
      expect(await b.get(before[0]!.call_id)).toBeUndefined();
      expect(await b.get(before[1]!.call_id)).toBeUndefined();
      const direct = new Redis(privateUrl);
      try {
        expect(Number(await direct.zscore(`${prefix}dialog-expiry`, during[0]!.call_id))).toBe(
          during[0]!.started_at + 600_000,
        );
      } finally {
        direct.disconnect();
      }
      expect(entries(lines, 'dialog redis unavailable')).toHaveLength(1);
      expect(entries(lines, 'dialog redis back')).toEqual([
        expect.objectContaining({
          level: 'info',
          writes_held: 12,
          dialogs_written: 11,
          dialogs_removed: 2,
          writes_dropped: 0,
        }),
      ]);
      expect(lines.join('\n')).not.toContain(password);
    } finally {
      await a.close();
      await b.close();
      await server.stop();
    }
  });

  it('answers from memory while Redis is frozen, fails fast for others, and catches up after', async () => {
    const server = await startRedisServer();
    const { lines, log } = logged();
    const options = { url: server.url, keyPrefix: prefix, ttlS: 600, commandTimeoutMs: TIMEOUT_MS };
    const a = createRedisDialogStore({ ...options, log });
    const b = createRedisDialogStore({ ...options, log: logged().log });
    let frozen = false;
    try {
      const [held, ended, unknown] = [dialog(30), dialog(31), dialog(32)];
      await a.put(held);
      await a.put(ended);
      expect(await b.get(unknown.call_id)).toBeUndefined(); // b is connected before the freeze
      process.kill(server.pid, 'SIGSTOP');
      frozen = true;

      expect(await settledWithin(a.get(held.call_id), HANG_MS)).toEqual({ state: 'answered', value: held });
      const lookup = await settledWithin(a.get(unknown.call_id), HANG_MS);
      expect(lookup.state).toBe('failed'); // the in-dialog runner answers 500, not a false 481
      const later = dialog(33);
      expect((await settledWithin(a.put(later), HANG_MS)).state).toBe('answered');
      expect(await settledWithin(a.take(ended.call_id), HANG_MS)).toEqual({
        state: 'answered',
        value: ended,
      });
      expect(entries(lines, 'dialog redis unavailable')).toEqual([
        expect.objectContaining({ level: 'warn', error: 'Command timed out' }),
      ]);

      process.kill(server.pid, 'SIGCONT');
      frozen = false;
      await until(() => entries(lines, 'dialog redis back').length > 0, 'the recovery line');
      expect(await b.get(later.call_id)).toEqual(later);
      expect(await b.get(ended.call_id)).toBeUndefined();
      expect(await b.get(held.call_id)).toEqual(held);
      expect(entries(lines, 'dialog redis unavailable')).toHaveLength(1);
      expect(entries(lines, 'dialog redis back')).toEqual([
        expect.objectContaining({
          writes_held: 2,
          lookups_failed: 1,
          dialogs_written: 1,
          dialogs_removed: 1,
          writes_dropped: 0,
        }),
      ]);
    } finally {
      if (frozen) process.kill(server.pid, 'SIGCONT');
      await a.close();
      await b.close();
      await server.stop();
    }
  });

  it('remembers a bounded number of writes during an outage and says how many it dropped', async () => {
    const server = await startRedisServer();
    const { lines, log } = logged();
    const options: Omit<RedisDialogStoreOptions, 'log'> = {
      url: server.url,
      keyPrefix: prefix,
      ttlS: 600,
      commandTimeoutMs: TIMEOUT_MS,
    };
    const a = createRedisDialogStore({ ...options, log, maxHeldWrites: 3 });
    const b = createRedisDialogStore({ ...options, log: logged().log });
    let frozen = false;
    try {
      await a.put(dialog(40));
      process.kill(server.pid, 'SIGSTOP');
      frozen = true;
      const during = [41, 42, 43, 44, 45].map(dialog);
      for (const d of during) await a.put(d);
      process.kill(server.pid, 'SIGCONT');
      frozen = false;
      await until(() => entries(lines, 'dialog redis back').length > 0, 'the recovery line');
      expect(entries(lines, 'dialog redis back')).toEqual([
        expect.objectContaining({ writes_held: 5, dialogs_written: 3, writes_dropped: 2 }),
      ]);
      const shared = await Promise.all(during.map((d) => b.get(d.call_id)));
      expect(shared.map((d) => d?.call_id)).toEqual([
        ...during.slice(0, 3).map((d) => d.call_id),
        undefined,
        undefined,
      ]);
      expect(await a.get(during[4]!.call_id)).toEqual(during[4]); // still carried here
    } finally {
      if (frozen) process.kill(server.pid, 'SIGCONT');
      await a.close();
      await b.close();
      await server.stop();
    }
  });
});
