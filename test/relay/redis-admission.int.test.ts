import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Admission } from '../../edge-relay/admission/admission';
import { createRedisAdmission, type RedisAdmissionOptions } from '../../edge-relay/admission/redis-admission';
import { createLogger } from '../../edge-relay/log';
import { freePort } from '../../platform/free-port';
import { startRedisServer } from '../support/redis-server';

// Two admissions on one redis-server are two relays of a site.
const url = inject('redisUrl');
const opened: Admission[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((a) => a.close()));
});

function relay(options: Partial<RedisAdmissionOptions> & { keyPrefix: string }) {
  const lines: string[] = [];
  const admission = createRedisAdmission({
    url,
    commandTimeoutMs: 300,
    leaseTtlS: 30,
    localShare: 0.5,
    log: createLogger('info', (line) => lines.push(line)),
    ...options,
  });
  opened.push(admission);
  return { admission, lines };
}

const site = () => `test-${randomBytes(4).toString('hex')}:`;
const provider = (max_concurrent_calls: number | null, max_cps: number | null = null) => [
  { key: 'provider:p1', limits: { max_concurrent_calls, max_cps } },
];

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('admission shared through Redis', () => {
  it('two relays together admit exactly max_concurrent_calls; a release frees one', async () => {
    const keyPrefix = site();
    const [a, b] = [relay({ keyPrefix }).admission, relay({ keyPrefix }).admission];
    const results = await Promise.all(
      ['c1', 'c2', 'c3', 'c4', 'c5'].map((call, i) => (i % 2 ? b : a).admit(call, provider(2))),
    );
    expect(results.filter((r) => r === undefined)).toHaveLength(2);
    expect(results.filter((r) => r?.limit === 'max_concurrent_calls')).toHaveLength(3);
    const admitted = ['c1', 'c2', 'c3', 'c4', 'c5'].filter((_, i) => results[i] === undefined);
    // Released by the other relay (a BYE through it): the lease goes all the same.
    b.release(admitted[0]!, ['provider:p1']);
    await until(async () => (await a.admit('c6', provider(2))) === undefined, 'a free lease');
  });

  it('a call admitted twice (its own retried lease) counts once', async () => {
    const { admission } = relay({ keyPrefix: site() });
    expect(await admission.admit('c1', provider(1))).toBeUndefined();
    expect(await admission.admit('c1', provider(1))).toBeUndefined();
    expect(await admission.admit('c2', provider(1))).toEqual({
      key: 'provider:p1',
      limit: 'max_concurrent_calls',
    });
  });

  it('max_cps holds across relays with Redis time', async () => {
    const keyPrefix = site();
    const [a, b] = [relay({ keyPrefix }).admission, relay({ keyPrefix }).admission];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? b : a).admit(`c${i}`, provider(null, 1))),
    );
    // One a second and one of slack: two of ten at once.
    expect(results.filter((r) => r === undefined)).toHaveLength(2);
    expect(results.filter((r) => r?.limit === 'max_cps')).toHaveLength(8);
  });

  it("a relay killed with its calls: its leases end after the lease ttl, another relay's stay renewed", async () => {
    const keyPrefix = site();
    const dead = relay({ keyPrefix, leaseTtlS: 3 }).admission;
    const alive = relay({ keyPrefix, leaseTtlS: 3 }).admission;
    expect(await dead.admit('dead-call', provider(2))).toBeUndefined();
    expect(await alive.admit('live-call', provider(2))).toBeUndefined();
    // Closing drops the connection and the renewals, not the leases: what kill -9 leaves.
    await dead.close();
    expect(await alive.admit('probe', provider(2))).toEqual({
      key: 'provider:p1',
      limit: 'max_concurrent_calls',
    });
    await until(
      async () => (await alive.admit('after-ttl', provider(2))) === undefined,
      'the dead lease to end',
    );
    // The live call's lease was renewed past the ttl: the provider is full again.
    expect(await alive.admit('third', provider(2))).toEqual({
      key: 'provider:p1',
      limit: 'max_concurrent_calls',
    });
  });

  it('Redis gone: counts alone with its share of the limit, says so once, and again when Redis is back', async () => {
    const port = await freePort();
    let server = await startRedisServer(port);
    const lines: string[] = [];
    const admission = createRedisAdmission({
      url: server.url,
      keyPrefix: site(),
      commandTimeoutMs: 300,
      leaseTtlS: 30,
      localShare: 0.5,
      log: createLogger('info', (line) => lines.push(line)),
    });
    opened.push(admission);
    expect(await admission.admit('c1', provider(4))).toBeUndefined();
    await server.stop();
    // Its one call counts toward its share (2 of 4): one more, then refused.
    const during = [];
    for (const call of ['c2', 'c3', 'c4']) during.push(await admission.admit(call, provider(4)));
    expect(admission.mode()).toBe('local');
    expect(during.map((r) => r?.limit ?? 'admitted')).toEqual([
      'admitted',
      'max_concurrent_calls',
      'max_concurrent_calls',
    ]);
    expect(lines.filter((l) => l.includes('admission redis unavailable'))).toHaveLength(1);
    server = await startRedisServer(port);
    try {
      await until(() => admission.mode() === 'site', 'redis back');
      expect(lines.filter((l) => l.includes('admission redis back'))).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});
