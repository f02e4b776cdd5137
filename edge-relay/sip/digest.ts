import { createHash, randomBytes } from 'node:crypto';
import type { StoredCredentials } from '../../contract/peer';
import { parseDigestParams } from '../../contract/sip/digest-params';

export type DigestChallenge = {
  realm: string;
  nonce: string;
  algorithm: 'MD5' | 'SHA-256';
  qop: 'auth' | undefined;
  opaque: string | undefined;
};

/** Parses `Digest realm="a", nonce="b", qop="auth,auth-int", algorithm=SHA-256`; undefined if unusable. */
export function parseChallenge(value: string): DigestChallenge | undefined {
  const params = parseDigestParams(value);
  if (!params) return undefined;
  const algorithm = (params['algorithm'] ?? 'MD5').toUpperCase();
  if (algorithm !== 'MD5' && algorithm !== 'SHA-256') return undefined;
  if (params['realm'] === undefined || params['nonce'] === undefined) return undefined;
  const qops = (params['qop'] ?? '').split(',').map((q) => q.trim());
  if (params['qop'] !== undefined && !qops.includes('auth')) return undefined;
  return {
    realm: params['realm'],
    nonce: params['nonce'],
    algorithm,
    qop: qops.includes('auth') ? 'auth' : undefined,
    opaque: params['opaque'],
  };
}

/**
 * The Authorization value answering a provider's challenge with the stored
 * HA1 (the password itself never reaches the relay). Undefined when the
 * credentials are for another realm.
 *
 * @example
 * digestAuthorization(challenge, creds, 'INVITE', 'sip:+8210@carrier', () => 'abc123');
 */
export function digestAuthorization(
  challenge: DigestChallenge,
  credentials: StoredCredentials,
  method: string,
  uri: string,
  cnonce: () => string = () => randomBytes(8).toString('hex'),
): string | undefined {
  if (challenge.realm !== credentials.realm) return undefined;
  const algo = challenge.algorithm === 'MD5' ? 'md5' : 'sha256';
  const hash = (s: string) => createHash(algo).update(s).digest('hex');
  const ha1 = challenge.algorithm === 'MD5' ? credentials.ha1_md5 : credentials.ha1_sha256;
  const ha2 = hash(`${method}:${uri}`);
  const parts = [
    `username="${credentials.username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${uri}"`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (challenge.qop) {
    const nc = '00000001';
    const cn = cnonce();
    parts.push(`response="${hash(`${ha1}:${challenge.nonce}:${nc}:${cn}:auth:${ha2}`)}"`);
    parts.push('qop=auth', `nc=${nc}`, `cnonce="${cn}"`);
  } else {
    parts.push(`response="${hash(`${ha1}:${challenge.nonce}:${ha2}`)}"`);
  }
  if (challenge.opaque !== undefined) parts.push(`opaque="${challenge.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
