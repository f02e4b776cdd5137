import { type ChainableCommander, Redis, ReplyError } from 'ioredis';
import type { Logger } from '../log';
import { type Dialog, type DialogStore, dialog as dialogSchema } from './dialog';
import { createMemoryDialogStore } from './memory-dialog-store';
import { passwordOf } from './redis-password';

/**
 * Call-IDs whose write waits for Redis at most: beyond, a write made during an outage is not
 * rewritten (counted as `dropped` when Redis is back). A Call-ID and a number each, ~100 bytes.
 */
export const MAX_HELD_WRITES = 100_000;

/** While Redis is away, how often it is asked whether it answers again (a frozen one sends no event). */
const PROBE_MS = 1000;

/** Call-IDs written per round trip when Redis is back. */
const REWRITE_BATCH = 200;

export type RedisDialogStoreOptions = {
  /** `redis://` or `rediss://` URL; may hold a password, so it is never logged. */
  url: string;
  /** Key prefix, so relays of several deployments can share one Redis. */
  keyPrefix: string;
  /** Lifetime of a dialog in Redis and in this relay's memory, seconds. */
  ttlS: number;
  /** A command without an answer after this long fails: a frozen Redis holds no lookup longer. */
  commandTimeoutMs: number;
  log: Logger;
  /** Bound on the writes remembered during an outage (tests make it small). */
  maxHeldWrites?: number;
};

export type RedisDialogStore = DialogStore & { close(): Promise<void> };

/** What an outage has cost so far, reported in one line once Redis is back. */
type Outage = { writesHeld: number; lookupsFailed: number };

/**
 * Dialogs in Redis so that another relay of the cluster, or this one after a restart, routes the
 * in-dialog requests (BYE, re-INVITE) of calls it did not set up (docs/design.md, "How a call
 * flows", step 9). Write-through over the in-memory store: this relay's own dialogs are answered
 * from memory without a round trip. A dialog found only in Redis is adopted into memory.
 *
 * A Redis outage (down, unreachable, or frozen: every command fails after `commandTimeoutMs`)
 * never stops a call this relay carries. Its writes (put, delete, take) are held as Call-IDs, at
 * most `maxHeldWrites`, and made again from memory once Redis answers: a dialog still in memory is
 * written, one no longer there is removed. Redis back with a new run id (restarted, maybe empty):
 * every dialog this relay answered and still holds is written again too. A lookup of a dialog
 * this relay does not hold fails (the in-dialog runner answers 500, not a false 481). One warning
 * when the outage starts, one line with its counts when it ends; the URL is never logged.
 *
 * @example
 * const store = createRedisDialogStore({ url: 'redis://10.0.0.5:6379', keyPrefix: 'tandem:', ttlS: 43_200, commandTimeoutMs: 500, log });
 * await store.put(dialog); await store.close();
 */
export function createRedisDialogStore(options: RedisDialogStoreOptions): RedisDialogStore {
  const { log, ttlS } = options;
  const maxHeld = options.maxHeldWrites ?? MAX_HELD_WRITES;
  const local = createMemoryDialogStore({ ttlMs: ttlS * 1000 });
  // A command queued while Redis is away waits for one reconnect attempt or the timeout, then
  // fails; reconnect attempts come at most 2 s apart, so a Redis back is found within seconds.
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: options.commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  const key = (callId: string) => `${options.keyPrefix}dialog:${callId}`;
  // Deadlines of the site's dialogs: any relay ends the expired ones (takeExpired). A dialog key
  // outlives its deadline by an hour, so the relay that ends it still finds its record.
  const expiry = `${options.keyPrefix}dialog-expiry`;
  const keepS = ttlS + 3600;

  /** Writes not made in Redis: Call-ID → a change number, so a rewrite never forgets a newer change. */
  const held = new Map<string, number>();
  let changes = 0;
  let dropped = 0;
  /** Dialogs read from Redis, not answered here: Redis, not this copy, says whether they still exist. */
  const adopted = new Set<string>();
  let outage: Outage | undefined;
  let probe: NodeJS.Timeout | undefined;
  let runId: string | undefined;
  let catchingUp = false;
  let catchUpAgain = false;
  /** Writing this relay's dialogs to a restarted Redis: until done, Redis may lack any of them. */
  let restoring = false;
  let closed = false;

  // Errors name the address at most (ECONNREFUSED 10.0.0.5:6379, Command timed out); the
  // password is cut out all the same, should a message ever quote the URL.
  const password = passwordOf(options.url);
  const describe = (error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    return password ? text.split(password).join('***') : text;
  };
  const wentAway = (error: unknown) => {
    if (outage || closed) return;
    outage = { writesHeld: 0, lookupsFailed: 0 };
    log.warn('dialog redis unavailable', { error: describe(error) });
    probe = setInterval(() => {
      redis.ping().then(answered, () => {});
    }, PROBE_MS);
    probe.unref();
  };
  /** A command was answered: if Redis had been away, what it missed is written now. */
  const answered = () => {
    if (outage) void catchUp();
  };
  const hold = (callId: string) => {
    if (held.has(callId) || held.size < maxHeld) held.set(callId, ++changes);
    else dropped += 1;
    if (outage) outage.writesHeld += 1;
  };
  /** A write to Redis now, or held for later while Redis is away or when it fails. */
  const write = async (callId: string, send: () => Promise<unknown>): Promise<void> => {
    if (outage) return hold(callId);
    try {
      await send();
      answered();
    } catch (error) {
      wentAway(error);
      hold(callId);
    }
  };
  /** A read Redis must answer: its failure is counted, then reaches the caller. */
  const read = async <T>(send: () => Promise<T>): Promise<T> => {
    try {
      const result = await send();
      answered();
      return result;
    } catch (error) {
      wentAway(error);
      if (outage) outage.lookupsFailed += 1;
      throw error;
    }
  };

  const share = (m: ChainableCommander, dialog: Dialog) =>
    m
      .set(key(dialog.call_id), JSON.stringify(dialog), 'EX', keepS)
      .zadd(expiry, Math.min(dialog.started_at + ttlS * 1000, dialog.ends_at ?? Infinity), dialog.call_id);
  const unshare = (m: ChainableCommander, callId: string) => m.del(key(callId)).zrem(expiry, callId);

  /**
   * Writes what Redis missed: on every `ready` (a reconnect) and once a command is answered after
   * an outage (a frozen Redis never disconnects). Commands queued before are sent first on the same
   * connection, so these writes come after them and win.
   */
  const catchUp = async (): Promise<void> => {
    if (closed) return;
    if (catchingUp) {
      // A reconnect while catching up (maybe to a Redis restarted since): once more after this one.
      catchUpAgain = true;
      return;
    }
    catchingUp = true;
    catchUpAgain = false;
    const written = new Set<string>();
    const removed = new Set<string>();
    try {
      // A Redis that refuses INFO (ACLs) is not told apart after a restart; the rest still works.
      const info = await redis.info('server').catch((error: unknown) => {
        if (error instanceof ReplyError) return '';
        throw error;
      });
      const id = /run_id:(\w+)/.exec(info)?.[1];
      if (runId !== undefined && id !== runId) {
        // A restarted Redis may have lost everything: this relay's own dialogs are written again.
        restoring = true;
        const own = [...local.values()].filter((d) => !adopted.has(d.call_id)).map((d) => d.call_id);
        for (let i = 0; i < own.length; i += REWRITE_BATCH) {
          const m = redis.pipeline();
          for (const callId of own.slice(i, i + REWRITE_BATCH)) {
            const dialog = local.peek(callId);
            if (!dialog) continue;
            share(m, dialog);
            written.add(callId);
          }
          throwFirst(await m.exec());
        }
        if (!outage) log.info('dialog redis restarted: dialogs written again', { dialogs: written.size });
      }
      runId = id;
      while (held.size > 0) {
        const batch: [string, number][] = [];
        for (const entry of held) {
          batch.push(entry);
          if (batch.length >= REWRITE_BATCH) break;
        }
        const m = redis.pipeline();
        for (const [callId] of batch) {
          const dialog = local.peek(callId);
          if (dialog) share(m, dialog);
          else unshare(m, callId);
        }
        throwFirst(await m.exec());
        for (const [callId, change] of batch) {
          if (local.peek(callId)) written.add(callId);
          else removed.add(callId);
          if (held.get(callId) === change) held.delete(callId);
        }
      }
    } catch (error) {
      // Still away: the next reconnect or answered probe tries again.
      wentAway(error);
      return;
    } finally {
      catchingUp = false;
      restoring = false;
      if (catchUpAgain) setImmediate(() => void catchUp());
    }
    if (outage) {
      log.info('dialog redis back', {
        writes_held: outage.writesHeld,
        lookups_failed: outage.lookupsFailed,
        dialogs_written: written.size,
        dialogs_removed: removed.size,
        writes_dropped: dropped,
      });
      outage = undefined;
      dropped = 0;
      clearInterval(probe);
      probe = undefined;
    }
  };

  // ioredis reports every failed reconnect attempt: only the first of an outage is logged.
  redis.on('error', wentAway);
  // Deferred: ioredis sends the commands queued during the outage right after this event.
  redis.on('ready', () => setImmediate(() => void catchUp()));

  const parse = (callId: string, stored: string | null): Dialog | undefined => {
    if (stored === null) return undefined;
    const parsed = dialogSchema.safeParse(parseJson(stored));
    if (parsed.success) return parsed.data;
    log.warn('dialog in redis unreadable', { call_id: callId });
    return undefined;
  };
  /** GETDEL and forget the deadline: only one caller gets the dialog. */
  const takeShared = async (callId: string): Promise<Dialog | undefined> => {
    const [[, stored]] = (await redis.multi().getdel(key(callId)).zrem(expiry, callId).exec()) as [
      [Error | null, string | null],
    ];
    return parse(callId, stored);
  };

  return {
    async get(callId) {
      const mine = await local.get(callId);
      if (mine) return mine;
      const shared = parse(callId, await read(() => redis.get(key(callId))));
      if (shared === undefined || shared.started_at + ttlS * 1000 <= Date.now()) return undefined;
      await local.put(shared);
      adopted.add(callId);
      return shared;
    },
    async put(dialog: Dialog) {
      await local.put(dialog);
      adopted.delete(dialog.call_id);
      await write(dialog.call_id, () => share(redis.multi(), dialog).exec());
    },
    async delete(callId) {
      await local.delete(callId);
      adopted.delete(callId);
      await write(callId, () => unshare(redis.multi(), callId).exec());
    },
    async take(callId) {
      const mine = await local.take(callId);
      adopted.delete(callId);
      if (outage || ((restoring || held.has(callId)) && mine)) {
        // Redis may not have it (yet), or not answer: the relay that holds the call ends it, and
        // Redis forgets it once back (a held delete).
        if (mine) hold(callId);
        return mine;
      }
      try {
        const shared = await takeShared(callId);
        answered();
        return shared;
      } catch (error) {
        wentAway(error);
        if (mine) hold(callId);
        return mine;
      }
    },
    async takeExpired(now, limit) {
      // Local copies past their lifetime go: Redis decides which relay ends each call, except
      // for those Redis never got (held writes): no other relay can end them, so this one does.
      const expiredHere = await local.takeExpired(now, Number.MAX_SAFE_INTEGER);
      const taken: Dialog[] = [];
      for (const dialog of expiredHere) {
        adopted.delete(dialog.call_id);
        if (held.has(dialog.call_id)) {
          hold(dialog.call_id); // gone from memory now: removed from Redis when it is back
          taken.push(dialog);
        }
      }
      const mine = new Set(taken.map((d) => d.call_id));
      const due = await read(() => redis.zrangebyscore(expiry, '-inf', now, 'LIMIT', 0, limit)).catch(
        (): string[] => [],
      );
      for (const callId of due) {
        if (mine.has(callId)) continue;
        await local.delete(callId);
        adopted.delete(callId);
        const dialog = await read(() => takeShared(callId)).catch(() => undefined);
        if (dialog) taken.push(dialog);
        if (outage) break;
      }
      return taken;
    },
    /** The dialogs this relay holds in memory (its own and the adopted ones). */
    size: () => local.size(),
    async close() {
      closed = true;
      clearInterval(probe);
      redis.disconnect();
    },
  };
}

/** A pipeline's answers: the first command error, if any, as a failure of the whole. */
function throwFirst(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new Error('pipeline discarded');
  for (const [error] of results) if (error) throw error;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
