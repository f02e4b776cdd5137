/** What a redacted secret reads as in an audit event. */
export const REDACTED = '[redacted]';

/**
 * Fields that hold a secret wherever they appear: digest passwords and their HA1 hashes
 * (functions/domain/common.ts, contract/peer.ts), a customer key and its hash
 * (functions/domain/api-key.ts, store/api-keys.ts), and the names secrets take in settings
 * (admin key, relay token, nonce and webhook secrets, Redis tokens) should one ever be written.
 */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'password',
  'ha1_md5',
  'ha1_sha256',
  'ha1',
  'key',
  'key_hash',
  'secret',
  'webhook_secret',
  'token',
  'admin_key',
  'relay_token',
  'nonce_secret',
  'private_key',
  'key_pem',
]);

/** A whole customer key (`tdm_` + 43 base64url characters); its 8-character `key_prefix` is no secret. */
const CUSTOMER_KEY = /tdm_[A-Za-z0-9_-]{20,}/;
/** A PEM private key of any kind (PKCS#1, PKCS#8, EC, encrypted). */
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** True when a string value is a secret whatever field holds it. */
export const isSecretText = (text: string) => CUSTOMER_KEY.test(text) || PRIVATE_KEY_PEM.test(text);

/**
 * A deep copy of `value` with every secret replaced by `[redacted]`: fields named in
 * SECRET_FIELDS (at any depth, whatever their value) and strings that are a customer key or a
 * PEM private key. Pure; what an audit event's `before` and `after` go through.
 *
 * @example
 * redactSecrets({ credentials: { username: 'a', password: 'p' } });
 * // { credentials: { username: 'a', password: '[redacted]' } }
 */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === 'string') return isSecretText(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([field, inner]) => [
      field,
      SECRET_FIELDS.has(field.toLowerCase()) && inner !== null && inner !== undefined
        ? REDACTED
        : redactSecrets(inner),
    ]),
  );
}
