import { describe, expect, it } from 'vitest';
import { newApiKey, storeCredentials } from '../store';
import { isSecretText, REDACTED, redactSecrets } from './redact';

const PRIVATE_KEY =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

describe('redactSecrets', () => {
  it('replaces digest passwords and HA1 hashes at any depth', () => {
    const stored = storeCredentials({ username: 'alice', realm: 'pbx.example', password: 's3cret-pw' });
    const out = redactSecrets({
      name: 'carrier',
      credentials: stored,
      input: { credentials: { username: 'alice', realm: 'pbx.example', password: 's3cret-pw' } },
    });
    const text = JSON.stringify(out);
    for (const secret of ['s3cret-pw', stored.ha1_md5, stored.ha1_sha256]) expect(text).not.toContain(secret);
    expect(out).toEqual({
      name: 'carrier',
      credentials: { username: 'alice', realm: 'pbx.example', ha1_md5: REDACTED, ha1_sha256: REDACTED },
      input: { credentials: { username: 'alice', realm: 'pbx.example', password: REDACTED } },
    });
  });

  it('replaces a customer key and its hash, keeping the 8-character prefix', () => {
    const { key, key_hash, key_prefix } = newApiKey();
    const out = redactSecrets({ id: 'k', key, key_hash, key_prefix, note: `rotated to ${key}` });
    expect(out).toEqual({ id: 'k', key: REDACTED, key_hash: REDACTED, key_prefix, note: REDACTED });
  });

  it('replaces webhook secrets, tokens and PEM private keys whatever field holds them', () => {
    const out = redactSecrets({
      webhook: { url: 'https://ops.example/hook', secret: 'whsec-0123456789abcdef' },
      list: [{ token: 'relay-token-0123456789' }, PRIVATE_KEY],
      tls: { ca_pem: PRIVATE_KEY, verify_server: true },
    });
    expect(JSON.stringify(out)).not.toMatch(/whsec|relay-token|PRIVATE KEY/);
    expect(out).toEqual({
      webhook: { url: 'https://ops.example/hook', secret: REDACTED },
      list: [{ token: REDACTED }, REDACTED],
      tls: { ca_pem: REDACTED, verify_server: true },
    });
  });

  it('leaves everything else as it is (null credentials stay null; certificates are no secret)', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const value = { credentials: null, password: null, tls: { ca_pem: cert }, n: 3, ok: false, tags: ['a'] };
    expect(redactSecrets(value)).toEqual(value);
    expect(isSecretText('tdm_abcd')).toBe(false);
  });
});
