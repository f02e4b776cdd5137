import { Redis } from 'ioredis';
import { passwordOf } from '../dialog/redis-password';
import type { Logger } from '../log';
import type { Admission, AdmissionScope, Refusal } from './admission';
import { ADMIT, RENEW } from './admission-scripts';
import { createMemoryCounters } from './memory-admission';
import { rateShape } from './rate-shape';

export type RedisAdmissionOptions = {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  /** A lease not renewed for this long stops counting (a relay killed with its calls). */
  leaseTtlS: number;
  /** While Redis is unreachable, the share of each limit this relay allows on its own counts. */
  localShare: number;
  log: Logger;
  now?: () => number;
};

type AdmitReply = [number, number];
type AdmissionRedis = Redis & {
  tandemAdmit(keys: number, ...args: (string | number)[]): Promise<AdmitReply>;
  tandemRenew(keys: number, ...args: (string | number)[]): Promise<number[]>;
};

/** How often a relay whose Redis went away tries it again; calls count locally meanwhile. */
const PROBE_MS = 1000;
/** Leases renewed per script call. */
const RENEW_BATCH = 500;

/**
 * Site-wide admission (docs/admission.md): each scope's leases are a sorted set in the site's
 * Redis (member: the call's record id, score: when the lease ends), renewed by the relay that
 * took them every third of `leaseTtlS`; its GCRA time is a key beside it. A relay killed with its
 * calls stops renewing: its leases end within `leaseTtlS`.
 *
 * When Redis does not answer (a command failing within `commandTimeoutMs`) the relay says so once,
 * counts on its own with `localShare` of each limit until a probe finds Redis again, says so,
 * and goes back to the site's counts. Leases taken meanwhile are this relay's only.
 *
 * @example
 * const admission = createRedisAdmission({ url, keyPrefix: 'tandem:', commandTimeoutMs: 500, leaseTtlS: 60, localShare: 0.5, log });
 */
export function createRedisAdmission(options: RedisAdmissionOptions): Admission {
  const { log, keyPrefix } = options;
  const now = options.now ?? Date.now;
  const ttlMs = options.leaseTtlS * 1000;
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: options.commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  }) as AdmissionRedis;
  redis.defineCommand('tandemAdmit', { lua: ADMIT });
  redis.defineCommand('tandemRenew', { lua: RENEW });
  // ioredis reports every failed reconnect: the outage below says it once.
  redis.on('error', () => {});

  /** Leases taken in Redis, renewed until released: member → keys. */
  const shared = new Map<string, Set<string>>();
  /** Every lease this relay holds, so counting alone starts from them; and the rates while Redis is away. */
  const local = createMemoryCounters();
  /** Leases taken while Redis was away: in `local` only. */
  const localHeld = new Map<string, Set<string>>();
  let outage: { since: number; admitted: number; refused: number; probe: NodeJS.Timeout } | undefined;
  let closed = false;

  const redact = (error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    const password = passwordOf(options.url);
    return password ? text.split(password).join('***') : text;
  };
  const wentAway = (error: unknown) => {
    if (outage || closed) return;
    const probe = setInterval(() => {
      redis.ping().then(cameBack, () => {});
    }, PROBE_MS);
    probe.unref();
    outage = { since: now(), admitted: 0, refused: 0, probe };
    log.warn('admission redis unavailable: counting on this relay alone', {
      share: options.localShare,
      error: redact(error),
    });
  };
  const cameBack = () => {
    if (!outage) return;
    clearInterval(outage.probe);
    log.info('admission redis back: counting with the site again', {
      after_s: Math.round((now() - outage.since) / 1000),
      admitted_alone: outage.admitted,
      refused_alone: outage.refused,
    });
    outage = undefined;
  };

  const admitLocally = (member: string, scopes: readonly AdmissionScope[]): Refusal | undefined => {
    const refusal = local.admit(member, scopes, options.localShare, now() * 1000);
    if (outage) outage[refusal ? 'refused' : 'admitted'] += 1;
    if (!refusal) remember(localHeld, member, scopes);
    return refusal;
  };

  const renew = async () => {
    if (outage || shared.size === 0) return;
    const pairs: [string, string][] = [];
    for (const [member, keys] of shared) for (const key of keys) pairs.push([key, member]);
    for (let i = 0; i < pairs.length; i += RENEW_BATCH) {
      const batch = pairs.slice(i, i + RENEW_BATCH);
      try {
        const held = await redis.tandemRenew(
          batch.length,
          ...batch.map(([key]) => leasesKey(key)),
          ttlMs,
          ...batch.map(([, member]) => member),
        );
        // Gone: released by the relay that ended the call (a BYE through another relay of the site).
        batch.forEach(([key, member], j) => {
          if (held[j] !== 0) return;
          forget(shared, member, [key]);
          local.release(member, [key]);
        });
      } catch (error) {
        wentAway(error);
        return;
      }
    }
  };
  const renewal = setInterval(() => void renew(), ttlMs / 3);
  renewal.unref();

  const leasesKey = (key: string) => `${keyPrefix}calls:${key}`;
  const rateKey = (key: string) => `${keyPrefix}cps:${key}`;

  return {
    async admit(member, scopes) {
      if (scopes.length === 0) return undefined;
      if (outage) return admitLocally(member, scopes);
      const keys: string[] = [];
      const args: (string | number)[] = [member, ttlMs];
      for (const { key, limits } of scopes) {
        keys.push(leasesKey(key), rateKey(key));
        const shape = limits.max_cps === null ? undefined : rateShape(limits.max_cps);
        args.push(limits.max_concurrent_calls ?? -1, shape?.intervalUs ?? -1, shape?.toleranceUs ?? -1);
      }
      let reply: AdmitReply;
      try {
        reply = await redis.tandemAdmit(keys.length, ...keys, ...args);
      } catch (error) {
        wentAway(error);
        return admitLocally(member, scopes);
      }
      const [index, kind] = reply;
      if (index === 0) {
        const leased = scopes.filter((s) => s.limits.max_concurrent_calls !== null);
        remember(shared, member, leased);
        local.hold(
          member,
          leased.map((s) => s.key),
        );
        return undefined;
      }
      return { key: scopes[index - 1]!.key, limit: kind === 1 ? 'max_concurrent_calls' : 'max_cps' };
    },
    release(member, keys) {
      local.release(member, keys);
      const alone = localHeld.get(member);
      const inRedis = keys.filter((k) => !alone?.has(k));
      if (alone) forget(localHeld, member, keys);
      if (inRedis.length === 0) return;
      forget(shared, member, inRedis);
      // A failed release ends with the lease's ttl; another relay may release a lease it did not take.
      if (outage) return;
      const m = redis.pipeline();
      for (const key of inRedis) m.zrem(leasesKey(key), member);
      m.exec().catch(wentAway);
    },
    mode: () => (outage ? 'local' : 'site'),
    async close() {
      closed = true;
      clearInterval(renewal);
      if (outage) clearInterval(outage.probe);
      redis.disconnect();
    },
  };
}

function remember(held: Map<string, Set<string>>, member: string, scopes: readonly AdmissionScope[]): void {
  if (scopes.length === 0) return;
  const keys = held.get(member) ?? new Set<string>();
  for (const s of scopes) keys.add(s.key);
  held.set(member, keys);
}

function forget(held: Map<string, Set<string>>, member: string, keys: readonly string[]): void {
  const set = held.get(member);
  if (!set) return;
  for (const key of keys) set.delete(key);
  if (set.size === 0) held.delete(member);
}
