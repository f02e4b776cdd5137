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

  return {
    async get(callId) {
      const mine = await local.get(callId);
      if (mine) return mine;
      const stored = await redis.get(key(callId));
      if (stored === null) return undefined;
      const parsed = dialogSchema.safeParse(parseJson(stored));
      if (!parsed.success) {
        log.warn('dialog in redis unreadable', { call_id: callId });
        return undefined;
      }
      await local.put(parsed.data);
      return parsed.data;
    },
    async put(dialog: Dialog) {
      await local.put(dialog);
      try {
        await redis.set(key(dialog.call_id), JSON.stringify(dialog), 'EX', ttlS);
      } catch (error) {
        log.warn('dialog not shared', { call_id: dialog.call_id, error: String(error) });
      }
    },
    async delete(callId) {
      await local.delete(callId);
      try {
        await redis.del(key(callId));
      } catch (error) {
        log.warn('dialog not removed from redis', { call_id: callId, error: String(error) });
      }
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
