import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { passwordOf } from '../dialog/redis-password';
import type { Logger } from '../log';
import { randomHex } from '../sip/random-id';
import {
  ATTEMPT_BUCKET_MS,
  ATTEMPT_WINDOW_BUCKETS,
  type AttemptCounts,
  type ProviderState,
  providerState,
} from './health-rules';
import { ATTEMPT_FAILED, COMMIT } from './health-scripts';
import { addCounts, type HealthStore, healthKeys, type SiteView } from './health-store';
import { createLeaderLease } from './leader-lease';

export type RedisHealthStoreOptions = {
  /** `redis://` or `rediss://` URL; may hold a password, so it is never logged. */
  url: string;
  keyPrefix: string;
  /** A command without an answer after this long fails: a frozen Redis holds nothing up longer. */
  commandTimeoutMs: number;
  relayId: string;
  leaderTtlMs: number;
  log: Logger;
};

type HealthRedis = Redis & {
  tandemHealthFailed(
    passive: string,
    marks: string,
    id: string,
    threshold: number,
    token: string,
  ): Promise<number>;
  tandemHealthCommit(
    leader: string,
    state: string,
    marks: string,
    passive: string,
    ...args: (string | number)[]
  ): Promise<number>;
};

/** Attempt buckets outlive the window by two buckets: a report reads whole windows. */
const BUCKET_TTL_MS = (ATTEMPT_WINDOW_BUCKETS + 2) * ATTEMPT_BUCKET_MS;

/**
 * The site's provider health in the Redis its relays share (keys in health-store.ts). Configured
 * like the relay's other Redis clients: a command fails after `commandTimeoutMs`, reconnects come
 * at most 2 s apart. Every method throws while Redis does not answer; the outage is logged once
 * when it starts and once when a command is answered again, the URL never.
 *
 * @example
 * const store = createRedisHealthStore({ url, keyPrefix: 'tandem:', commandTimeoutMs: 500, relayId: 'relay-1', leaderTtlMs: 10_000, log });
 */
export function createRedisHealthStore(options: RedisHealthStoreOptions): HealthStore {
  const { log, relayId } = options;
  const keys = healthKeys(options.keyPrefix);
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: options.commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  }) as HealthRedis;
  redis.defineCommand('tandemHealthFailed', { numberOfKeys: 2, lua: ATTEMPT_FAILED });
  redis.defineCommand('tandemHealthCommit', { numberOfKeys: 4, lua: COMMIT });
  // ioredis reports every failed reconnect: the failed commands below say it once.
  redis.on('error', () => {});
  // The holder is this process, not only its relay id: two relays that share a host name (the
  // default id) must not both lead.
  const holder = `${relayId}#${randomBytes(6).toString('hex')}`;
  const lease = createLeaderLease(redis, keys.leader, holder, options.leaderTtlMs);

  const password = passwordOf(options.url);
  const describe = (error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    return password ? text.split(password).join('***') : text;
  };
  let away = false;
  let closed = false;
  /** Every command goes through here: its failure starts an outage, its answer ends one. */
  const run = async <T>(send: () => Promise<T>): Promise<T> => {
    try {
      const result = await send();
      if (away) {
        away = false;
        log.info('provider health redis back');
      }
      return result;
    } catch (error) {
      if (!away && !closed) {
        away = true;
        log.warn('provider health redis unavailable: keeping the last known provider states', {
          error: describe(error),
        });
      }
      throw error;
    }
  };

  const parseStates = (raw: Record<string, string>): Map<string, ProviderState> => {
    const states = new Map<string, ProviderState>();
    for (const [id, json] of Object.entries(raw)) {
      const parsed = providerState.safeParse(parseJson(json));
      if (parsed.success) states.set(id, parsed.data);
    }
    return states;
  };

  return {
    lead: () => run(() => lease.hold()),
    resign: () => run(() => lease.release()),
    async read(): Promise<SiteView> {
      // One MULTI: a leader's commit lands wholly before or after it, never between the two reads.
      const results = await run(async () =>
        throwFirst(await redis.multi().hgetall(keys.state).hgetall(keys.marks).exec()),
      );
      const [[, state], [, marks]] = results as [
        [null, Record<string, string>],
        [null, Record<string, string>],
      ];
      return { states: parseStates(state), marks: new Map(Object.entries(marks)) };
    },
    async commit({ states, removed, merged }) {
      const args: (string | number)[] = [holder, states.size, removed.length, merged.size];
      for (const [id, state] of states) args.push(id, JSON.stringify(state));
      args.push(...removed);
      for (const [id, token] of merged) args.push(id, token);
      const done = await run(() =>
        redis.tandemHealthCommit(keys.leader, keys.state, keys.marks, keys.passive, ...args),
      );
      return done === 1;
    },
    async attemptFailed(id, threshold) {
      const marked = await run(() =>
        redis.tandemHealthFailed(keys.passive, keys.marks, id, threshold, `${relayId}:${randomHex(6)}`),
      );
      return marked === 1;
    },
    async attemptAnswered(id) {
      await run(() => redis.hdel(keys.passive, id));
    },
    async mark(id) {
      await run(() => redis.hset(keys.marks, id, `${relayId}:${randomHex(6)}`));
    },
    async addAttempts(bucket, counts) {
      if (counts.size === 0) return;
      const key = keys.attempts(bucket);
      const m = redis.pipeline();
      for (const [id, { total, succeeded }] of counts) {
        if (total > 0) m.hincrby(key, `${id}|t`, total);
        if (succeeded > 0) m.hincrby(key, `${id}|s`, succeeded);
      }
      m.pexpire(key, BUCKET_TTL_MS);
      await run(async () => throwFirst(await m.exec()));
    },
    async attempts(from, to) {
      const m = redis.pipeline();
      for (let bucket = from; bucket <= to; bucket++) m.hgetall(keys.attempts(bucket));
      const results = await run(async () => throwFirst(await m.exec()));
      const out = new Map<string, AttemptCounts>();
      for (const [, raw] of results) {
        for (const [field, value] of Object.entries(raw as Record<string, string>)) {
          const bar = field.lastIndexOf('|');
          const n = Number(value);
          if (bar < 0 || !Number.isFinite(n)) continue;
          const kind = field.slice(bar + 1);
          addCounts(out, field.slice(0, bar), {
            total: kind === 't' ? n : 0,
            succeeded: kind === 's' ? n : 0,
          });
        }
      }
      return out;
    },
    async close() {
      closed = true;
      redis.disconnect();
    },
  };
}

/**
 * A pipeline's answers: the first command error, if any, as a failure of the whole (inside `run`:
 * a pipeline whose commands all failed still resolves, and must not end an outage).
 */
function throwFirst(results: [Error | null, unknown][] | null): [Error | null, unknown][] {
  if (results === null) throw new Error('pipeline discarded');
  for (const [error] of results) if (error) throw error;
  return results;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
