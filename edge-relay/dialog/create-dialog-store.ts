import type { RelayConfig } from '../config';
import type { Logger } from '../log';
import type { DialogStore } from './dialog';
import { createMemoryDialogStore } from './memory-dialog-store';
import { createRedisDialogStore } from './redis-dialog-store';

/**
 * The dialog store the relay runs with: shared through Redis when
 * `TANDEM_REDIS_URL` is set (a cluster, or restarts that keep calls), else in
 * this process's memory.
 *
 * @example
 * const dialogs = createDialogStore(config.dialogs, log);
 */
export function createDialogStore(settings: RelayConfig['dialogs'], log: Logger): DialogStore {
  if (!settings.redisUrl) return createMemoryDialogStore({ ttlMs: settings.ttlS * 1000 });
  return createRedisDialogStore({
    url: settings.redisUrl,
    keyPrefix: settings.keyPrefix,
    ttlS: settings.ttlS,
    log,
  });
}
