import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type DigestParams, parseDigestParams } from '../../../contract/sip/digest-params';
import type { StoredCredentials } from '../../domain/common';

/**
 * RFC 7616 digest authentication with stateless nonces.
 *
 * nonce = base64url(8-byte timestamp in ms ‖ HMAC-SHA256(secret, timestamp ‖ binding)).
 * Any instance holding the secret verifies it, without shared state. The
 * binding is the realm, the Call-ID and the source IP of the challenged INVITE,
 * so a captured Authorization header cannot be replayed for another call or
 * from another address, and never after the nonce's lifetime (300 s default).
 * What a stateless nonce cannot prevent: replay of the same INVITE (same
 * Call-ID, same source IP) within the lifetime; that needs nonce-count (nc)
 * tracking, i.e. shared state.
 */
export type NonceCheck = 'valid' | 'stale' | 'invalid';
export type AuthOutcome =
  | { result: 'ok' }
  | { result: 'challenge'; stale: boolean; nonce: string }
  | { result: 'failed'; reason: string };

export const NONCE_TTL_S = 300;
const CLOCK_SKEW_MS = 5_000;

export function nonceBinding(realm: string, callId: string, sourceIp: string): string {
  return `${realm}\n${callId}\n${sourceIp}`;
}

function mac(secret: string, stamp: Buffer, binding: string): Buffer {
  return createHmac('sha256', secret).update(stamp).update(binding).digest();
}

/** @example makeNonce('secret', Date.now(), nonceBinding(realm, callId, ip)) */
export function makeNonce(secret: string, now: number, binding: string): string {
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(Math.floor(now)));
  return Buffer.concat([stamp, mac(secret, stamp, binding)]).toString('base64url');
}

export function checkNonce(
  nonce: string,
  secret: string,
  now: number,
  binding: string,
  ttlS = NONCE_TTL_S,
): NonceCheck {
  const raw = Buffer.from(nonce, 'base64url');
  if (raw.length !== 40) return 'invalid';
  const stamp = raw.subarray(0, 8);
  if (!timingSafeEqual(raw.subarray(8), mac(secret, stamp, binding))) return 'invalid';
  const issued = Number(stamp.readBigUInt64BE());
  if (issued > now + CLOCK_SKEW_MS) return 'invalid';
  return now - issued > ttlS * 1000 ? 'stale' : 'valid';
}

const hash = (algorithm: 'MD5' | 'SHA-256', value: string) =>
  createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(value)
    .digest('hex');

/** The expected `response` for qop=auth, from the stored HA1. */
export function digestResponse(
  p: DigestParams,
  method: string,
  ha1: string,
  algorithm: 'MD5' | 'SHA-256',
): string {
  const ha2 = hash(algorithm, `${method}:${p.uri}`);
  return hash(algorithm, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks an Authorization/Proxy-Authorization value against stored credentials.
 * No header, another realm or user, a malformed or forged nonce → a fresh
 * challenge; an expired nonce with a correct response → challenge with
 * stale=true; a wrong response → failed (the caller answers 403 and counts it).
 *
 * @example
 * authenticate({ authorization, method: 'INVITE', credentials, secret, now, binding });
 */
export function authenticate(input: {
  authorization: string | undefined;
  method: string;
  credentials: StoredCredentials;
  secret: string;
  now: number;
  binding: string;
  ttlS?: number;
  /** The algorithms the IPBX allows; any when absent. */
  algorithms?: readonly ('MD5' | 'SHA-256')[];
}): AuthOutcome {
  const fresh = (stale: boolean): AuthOutcome => ({
    result: 'challenge',
    stale,
    nonce: makeNonce(input.secret, input.now, input.binding),
  });
  const p = input.authorization ? parseDigestParams(input.authorization) : undefined;
  if (!p || p.username !== input.credentials.username || p.realm !== input.credentials.realm)
    return fresh(false);
  if (!p.nonce || !p.response || !p.uri || p.qop?.toLowerCase() !== 'auth' || !p.cnonce || !p.nc) {
    return fresh(false);
  }
  const algorithm = (p.algorithm ?? 'MD5').toUpperCase();
  if (algorithm !== 'MD5' && algorithm !== 'SHA-256') return fresh(false);
  // An answer in an algorithm the IPBX was not offered (a downgrade to MD5) is challenged again.
  if (input.algorithms && !input.algorithms.includes(algorithm)) return fresh(false);
  const nonce = checkNonce(p.nonce, input.secret, input.now, input.binding, input.ttlS);
  if (nonce === 'invalid') return fresh(false);
  const ha1 = algorithm === 'MD5' ? input.credentials.ha1_md5 : input.credentials.ha1_sha256;
  if (!safeEqualHex(p.response, digestResponse(p, input.method, ha1, algorithm))) {
    return { result: 'failed', reason: 'digest_mismatch' };
  }
  return nonce === 'stale' ? fresh(true) : { result: 'ok' };
}

/** HA1 = H(username:realm:password), as the store keeps it. */
export function ha1(algorithm: 'MD5' | 'SHA-256', username: string, realm: string, password: string): string {
  return hash(algorithm, `${username}:${realm}:${password}`);
}
