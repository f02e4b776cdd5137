import { Redis } from 'ioredis';
import type { Logger } from '../log';
import { type Dialog, type DialogStore, dialog as dialogSchema } from './dialog';
import { createMemoryDialogStore } from './memory-dialog-store';

export type RedisDialogStoreOptions = {
  /** `redis://` or `rediss://` URL; may hold a password, so it is never logged. */
  url: string;
  /** Key prefix, so relays of several deployments can share one Redis. */
  keyPrefix: string;
  /** Lifetime of a dialog in Redis and in this relay's memory, seconds. */
  ttlS: number;
  log: Logger;
};

/**
 * Dialogs in Redis so that another relay of the cluster, or this one after a
 * restart, routes the in-dialog requests (BYE, re-INVITE) of calls it did not
 * set up (docs/design.md, "Relay"). Write-through over the in-memory store: this relay's own
 * dialogs are answered from memory without a round trip, and a Redis outage
 * costs only the hand-over, never a call this relay carries (a failed write is
 * logged, the call goes on). A dialog found only in Redis is adopted into
 * memory. Redis unreachable on such a lookup → the error reaches the
 * in-dialog runner (500, not a false 481).
 *
 * @example
 * const store = createRedisDialogStore({ url: 'redis://10.0.0.5:6379', keyPrefix: 'tandem:', ttlS: 43_200, log });
 * await store.put(dialog); await store.close();
 */
export function createRedisDialogStore(options: RedisDialogStoreOptions): DialogStore & {
  close(): Promise<void>;
} {
  const { log, ttlS } = options;
  const local = createMemoryDialogStore({ ttlMs: ttlS * 1000 });
  // While Redis is away a command waits for one reconnect attempt, then fails: a few seconds
  // of commands at most are held, never an unbounded queue.
  const redis = new Redis(options.url, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  let lastError = '';
  redis.on('error', (error: Error) => {
    // ioredis reports every reconnect attempt: one line per distinct error.
    if (error.message === lastError) return;
    lastError = error.message;
    log.warn('dialog redis unavailable', { error: error.message });
  });
  redis.on('ready', () => {
    if (lastError) log.info('dialog redis back');
    lastError = '';
  });
  const key = (callId: string) => `${options.keyPrefix}dialog:${callId}`;
  // Deadlines of the site's dialogs: any relay ends the expired ones (takeExpired). A dialog key
  // outlives its deadline by an hour, so the relay that ends it still finds its record.
  const expiry = `${options.keyPrefix}dialog-expiry`;
  const keepS = ttlS + 3600;
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
      const shared = parse(callId, await redis.get(key(callId)));
      if (shared === undefined || shared.started_at + ttlS * 1000 <= Date.now()) return undefined;
      await local.put(shared);
      return shared;
    },
    async put(dialog: Dialog) {
      await local.put(dialog);
      try {
        await redis
          .multi()
          .set(key(dialog.call_id), JSON.stringify(dialog), 'EX', keepS)
          .zadd(expiry, dialog.started_at + ttlS * 1000, dialog.call_id)
          .exec();
      } catch (error) {
        log.warn('dialog not shared', { call_id: dialog.call_id, error: String(error) });
      }
    },
    async delete(callId) {
      await local.delete(callId);
      try {
        await redis.multi().del(key(callId)).zrem(expiry, callId).exec();
      } catch (error) {
        log.warn('dialog not removed from redis', { call_id: callId, error: String(error) });
      }
    },
    async take(callId) {
      const mine = await local.take(callId);
      try {
        return await takeShared(callId);
      } catch (error) {
        // Redis away: the relay that holds the call ends it (another may too once Redis is back:
        // the record then arrives twice under one id and is stored once).
        log.warn('dialog not taken from redis', { call_id: callId, error: String(error) });
        return mine;
      }
    },
    async takeExpired(now, limit) {
      // Local copies past their lifetime go (Redis decides which relay ends each call).
      await local.takeExpired(now, Number.MAX_SAFE_INTEGER);
      const due = await redis.zrangebyscore(expiry, '-inf', now, 'LIMIT', 0, limit);
      const taken: Dialog[] = [];
      for (const callId of due) {
        await local.delete(callId);
        const dialog = await takeShared(callId);
        if (dialog) taken.push(dialog);
      }
      return taken;
    },
    /** The dialogs this relay holds in memory (its own and the adopted ones). */
    size: () => local.size(),
    async close() {
      redis.disconnect();
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
