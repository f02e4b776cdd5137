import type { RelayConfig } from '../config';
import type { Logger } from '../log';
import type { Admission } from './admission';
import { createMemoryAdmission } from './memory-admission';
import { createRedisAdmission } from './redis-admission';

/** The relay's admission: shared with its site through the dialogs' Redis, or its own without one. */
export function createAdmission(config: RelayConfig, log: Logger): Admission {
  const { redisUrl, keyPrefix, redisTimeoutMs } = config.dialogs;
  if (!redisUrl) return createMemoryAdmission();
  return createRedisAdmission({
    url: redisUrl,
    keyPrefix,
    commandTimeoutMs: redisTimeoutMs,
    leaseTtlS: config.admission.leaseTtlS,
    localShare: config.admission.localShare,
    log,
  });
}
