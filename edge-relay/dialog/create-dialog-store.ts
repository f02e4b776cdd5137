import { join } from 'node:path';
import type { RelayConfig } from '../config';
import type { Logger } from '../log';
import type { DialogStore } from './dialog';
import { openFileDialogStore } from './file-dialog-store';
import { createRedisDialogStore } from './redis-dialog-store';

/** The dialog journal's folder in the relay's data folder (without Redis). */
export const DIALOGS_DIR = 'dialogs';

/**
 * The dialog store the relay runs with. With `TANDEM_REDIS_URL`: Redis, shared by the relays of a
 * site, is where dialogs outlive a relay (a restart adopts them from there); no local journal, so
 * Redis stays the one place that says whether a call is still up. Without: memory plus a journal
 * in `<dataDir>/dialogs`, replayed when the relay starts again.
 *
 * @example
 * const dialogs = await createDialogStore(config.dialogs, config.dataDir, log);
 */
export async function createDialogStore(
  settings: RelayConfig['dialogs'],
  dataDir: string,
  log: Logger,
): Promise<DialogStore> {
  if (!settings.redisUrl)
    return openFileDialogStore({
      dir: join(dataDir, DIALOGS_DIR),
      ttlMs: settings.ttlS * 1000,
      fsyncMs: settings.journalFsyncMs,
      log,
    });
  return createRedisDialogStore({
    url: settings.redisUrl,
    keyPrefix: settings.keyPrefix,
    ttlS: settings.ttlS,
    commandTimeoutMs: settings.redisTimeoutMs,
    log,
  });
}
