import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Dialog } from '../../edge-relay/dialog/dialog';
import { createRedisDialogStore } from '../../edge-relay/dialog/redis-dialog-store';
import { createLogger } from '../../edge-relay/log';
import { freePort } from '../../platform/free-port';

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
    const a = createRedisDialogStore({ url, keyPrefix: prefix, ttlS: 600, log: logged().log });
    const b = createRedisDialogStore({ url, keyPrefix: prefix, ttlS: 600, log: logged().log });
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
    const a = createRedisDialogStore({ url, keyPrefix: prefix, ttlS: 600, log: logged().log });
    const b = createRedisDialogStore({ url, keyPrefix: prefix, ttlS: 600, log: logged().log });
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
    const a = createRedisDialogStore({ url, keyPrefix: prefix, ttlS: 60, log: logged().log });
    const b = createRedisDialogStore({ url, keyPrefix: prefix, ttlS: 60, log: logged().log });
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
    const store = createRedisDialogStore({ url, keyPrefix: prefix, ttlS: 600, log });
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
    const store = createRedisDialogStore({ url: down, keyPrefix: prefix, ttlS: 600, log });
    try {
      await store.put(dialog(3)); // resolves: kept in memory, the failed share is logged
      expect(await store.get(dialog(3).call_id)).toEqual(dialog(3));
      // A dialog this relay does not hold cannot be looked up: an error (500), not a false 481.
      await expect(store.get(dialog(4).call_id)).rejects.toThrow();
      await store.delete(dialog(3).call_id);
      expect(await store.size()).toBe(0);
      expect(lines.some((l) => l.includes('dialog not shared'))).toBe(true);
      expect(lines.some((l) => l.includes('dialog redis unavailable'))).toBe(true);
      expect(lines.join('\n')).not.toContain('s3cret-password');
    } finally {
      await store.close();
    }
  });
});
