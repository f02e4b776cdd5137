import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const localSecrets = z.object({
  admin_key: z.string().min(16),
  relay_token: z.string().min(16),
  nonce_secret: z.string().min(16),
});
export type LocalSecrets = z.infer<typeof localSecrets>;

const token = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

/**
 * Secrets of a local stack that the operator did not set: generated on the
 * first start and kept (mode 0600) in the data dir, so keys printed once keep
 * working across restarts. `created` says whether they are new (print them then).
 */
export function loadOrCreateLocalSecrets(dataDir: string): { secrets: LocalSecrets; created: boolean } {
  const file = join(dataDir, 'secrets.json');
  try {
    return { secrets: localSecrets.parse(JSON.parse(readFileSync(file, 'utf8'))), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} is unreadable or corrupt (${(error as Error).message}); fix or remove it`);
    }
  }
  const secrets: LocalSecrets = {
    admin_key: token('tdm_admin_'),
    relay_token: token('tdm_relay_'),
    nonce_secret: token(''),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return { secrets, created: true };
}
