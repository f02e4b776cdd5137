import { createHash } from 'node:crypto';
import type { StoredCredentials } from '../domain';

const hex = (algorithm: 'md5' | 'sha256', text: string) => createHash(algorithm).update(text).digest('hex');

/**
 * Digest credentials as stored: HA1 = H(username:realm:password) for MD5 and
 * SHA-256 (RFC 7616 §3.4.2); the password itself is dropped here.
 *
 * @example
 * storeCredentials({ username: 'alice', realm: 'pbx.example', password: 's3cret' }).ha1_md5;
 */
export function storeCredentials(input: {
  username: string;
  password: string;
  realm: string;
}): StoredCredentials {
  const a1 = `${input.username}:${input.realm}:${input.password}`;
  return {
    username: input.username,
    realm: input.realm,
    ha1_md5: hex('md5', a1),
    ha1_sha256: hex('sha256', a1),
  };
}

/** What an API read shows: who and where, never a hash. */
export function viewCredentials(stored: StoredCredentials | null | undefined) {
  return stored ? { username: stored.username, realm: stored.realm } : null;
}
