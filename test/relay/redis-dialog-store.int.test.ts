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
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);

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
