import { randomBytes } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUpstashCache } from '../../functions/cache';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';

const token = 'bridge-token-0123';
const prefix = `bridge-${randomBytes(4).toString('hex')}`;
let bridge: UpstashBridge;
let redis: Redis;

beforeAll(async () => {
  bridge = await startUpstashBridge({ redisUrl: inject('redisUrl'), token });
  redis = new Redis({ url: bridge.url, token, retry: false, enableTelemetry: false });
});
afterAll(() => bridge.stop());

describe('Upstash REST bridge over redis-server', () => {
  it('single commands with base64 answers: strings, unicode, integers, null, arrays, OK', async () => {
    expect(await redis.set(`${prefix}:s`, 'héllo wörld')).toBe('OK');
    expect(await redis.get(`${prefix}:s`)).toBe('héllo wörld');
    expect(await redis.incr(`${prefix}:n`)).toBe(1);
    expect(await redis.get(`${prefix}:missing`)).toBeNull();
    await redis.rpush(`${prefix}:l`, 'a', 'b');
    expect(await redis.lrange(`${prefix}:l`, 0, -1)).toEqual(['a', 'b']);
    expect(await redis.set(`${prefix}:j`, { a: 1 })).toBe('OK');
    expect(await redis.get(`${prefix}:j`)).toEqual({ a: 1 });
  });

  it('pipeline and multi-exec', async () => {
    const p = redis.pipeline();
    p.incr(`${prefix}:p`);
    p.incr(`${prefix}:p`);
    p.get(`${prefix}:p`);
    expect(await p.exec()).toEqual([1, 2, 2]);
    const m = redis.multi();
    m.set(`${prefix}:m`, 'x');
    m.get(`${prefix}:m`);
    expect(await m.exec()).toEqual(['OK', 'x']);
  });

  it('errors: a Redis error is an UpstashError; a wrong token is refused', async () => {
    await redis.set(`${prefix}:str`, 'x');
    await expect(redis.incr(`${prefix}:str`)).rejects.toThrow(/not an integer/);
    const wrong = new Redis({ url: bridge.url, token: 'nope', retry: false, enableTelemetry: false });
    await expect(wrong.get('k')).rejects.toThrow(/Unauthorized/);
  });

  it('the version cache over the bridge: bump, read, outage throws', async () => {
    const cache = createUpstashCache({ url: bridge.url, token, prefix });
    expect(await cache.version()).toBe(0);
    await cache.bump('c1');
    await cache.bump('c2');
    expect(await cache.version()).toBe(2);
    bridge.pause();
    await expect(cache.version()).rejects.toThrow();
    bridge.resume();
    expect(await cache.version()).toBe(2);
  });
});
