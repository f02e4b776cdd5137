import type { Redis } from 'ioredis';

/** Extends the lease only while `ARGV[1]` still holds it. KEYS: the lease. ARGV: relay id, ttl ms. */
const EXTEND = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** Deletes the lease only while `ARGV[1]` holds it. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type LeaseRedis = Redis & {
  tandemLeaseExtend(key: string, relayId: string, ttlMs: number): Promise<number>;
  tandemLeaseRelease(key: string, relayId: string): Promise<number>;
};

export type LeaderLease = {
  /** Takes the lease if free (`SET NX PX`) or extends it if this relay holds it: true while it leads. */
  hold(): Promise<boolean>;
  release(): Promise<void>;
};

/**
 * One relay of a site leads: it holds `key` (its holder: relay id and process, with a ttl) and extends it well within
 * the ttl. A leader that dies (or loses Redis) stops extending; another relay takes the lease once
 * it has expired, so a site is without a prober for at most the ttl and an extension period. The
 * lease is compared on every extension and on release: a relay never extends nor deletes another's.
 *
 * @example
 * const lease = createLeaderLease(redis, 'tandem:health:leader', 'relay-1', 10_000);
 * await lease.hold(); // true: this relay leads
 */
export function createLeaderLease(redis: Redis, key: string, holder: string, ttlMs: number): LeaderLease {
  const r = redis as LeaseRedis;
  r.defineCommand('tandemLeaseExtend', { numberOfKeys: 1, lua: EXTEND });
  r.defineCommand('tandemLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
  return {
    async hold() {
      // Extending first: the usual case of a leader renewing.
      if ((await r.tandemLeaseExtend(key, holder, ttlMs)) === 1) return true;
      return (await r.set(key, holder, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async release() {
      await r.tandemLeaseRelease(key, holder);
    },
  };
}
