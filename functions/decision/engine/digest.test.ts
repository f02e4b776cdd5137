import { describe, expect, it } from 'vitest';
import { parseDigestParams } from '../../../contract/sip/digest-params';
import type { StoredCredentials } from '../../domain/common';
import { authenticate, checkNonce, digestResponse, ha1, makeNonce, nonceBinding } from './digest';

const realm = 'pbx.acme.example';
const credentials: StoredCredentials = {
  username: 'acme',
  realm,
  ha1_md5: ha1('MD5', 'acme', realm, 'secret'),
  ha1_sha256: ha1('SHA-256', 'acme', realm, 'secret'),
};
const secret = 'nonce-secret-0123456789';
const now = Date.parse('2026-11-23T10:00:00Z');
const binding = nonceBinding(realm, 'call-1', '203.0.113.7');

/** What a UA sends after a challenge (RFC 7616 §3.4). */
function answer(over: {
  nonce: string;
  password?: string;
  algorithm?: 'MD5' | 'SHA-256';
  username?: string;
  realm?: string;
}): string {
  const algorithm = over.algorithm ?? 'SHA-256';
  const p = {
    uri: 'sip:+821012345678@relay.example',
    nonce: over.nonce,
    nc: '00000001',
    cnonce: 'c0ffee',
    qop: 'auth',
  };
  const key = ha1(algorithm, over.username ?? 'acme', over.realm ?? realm, over.password ?? 'secret');
  const response = digestResponse(p, 'INVITE', key, algorithm);
  return `Digest username="${over.username ?? 'acme'}", realm="${over.realm ?? realm}", nonce="${p.nonce}", uri="${p.uri}", response="${response}", algorithm=${algorithm}, cnonce="${p.cnonce}", qop=auth, nc=${p.nc}`;
}

const run = (authorization: string | undefined, at = now, bind = binding) =>
  authenticate({ authorization, method: 'INVITE', credentials, secret, now: at, binding: bind });

describe('digest authentication', () => {
  it('parses quoted, unquoted and escaped values', () => {
    expect(parseDigestParams('Digest username="a\\"b", realm="r, x", qop=auth, nc=00000001')).toEqual({
      username: 'a"b',
      realm: 'r, x',
      qop: 'auth',
      nc: '00000001',
    });
    expect(parseDigestParams('Basic abc')).toBeUndefined();
  });

  it('nonce: valid, stale after the lifetime, invalid when forged, bound or from the future', () => {
    const nonce = makeNonce(secret, now, binding);
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{54}$/);
    expect(checkNonce(nonce, secret, now + 299_000, binding)).toBe('valid');
    expect(checkNonce(nonce, secret, now + 301_000, binding)).toBe('stale');
    expect(checkNonce(nonce, 'other-secret', now, binding)).toBe('invalid');
    expect(checkNonce(nonce, secret, now, nonceBinding(realm, 'call-2', '203.0.113.7'))).toBe('invalid');
    expect(checkNonce(makeNonce(secret, now + 60_000, binding), secret, now, binding)).toBe('invalid');
    expect(checkNonce('short', secret, now, binding)).toBe('invalid');
  });

  const nonce = makeNonce(secret, now, binding);
  it.each([
    ['no header → challenge', undefined, now, 'challenge', false],
    ['SHA-256 answer → ok', answer({ nonce }), now + 1000, 'ok', undefined],
    ['MD5 answer → ok', answer({ nonce, algorithm: 'MD5' }), now + 1000, 'ok', undefined],
    ['wrong password → failed', answer({ nonce, password: 'guess' }), now + 1000, 'failed', undefined],
    ['other realm → fresh challenge', answer({ nonce, realm: 'x.example' }), now, 'challenge', false],
    ['other user → fresh challenge', answer({ nonce, username: 'bob' }), now, 'challenge', false],
    ['expired nonce, right password → stale challenge', answer({ nonce }), now + 301_000, 'challenge', true],
    [
      'expired nonce, wrong password → failed',
      answer({ nonce, password: 'x' }),
      now + 301_000,
      'failed',
      undefined,
    ],
    [
      'forged nonce → fresh challenge',
      answer({ nonce: makeNonce('evil', now, binding) }),
      now,
      'challenge',
      false,
    ],
  ] as const)('%s', (_name, header, at, result, stale) => {
    const outcome = run(header, at);
    expect(outcome.result).toBe(result);
    if (outcome.result === 'challenge') {
      expect(outcome.stale).toBe(stale);
      expect(checkNonce(outcome.nonce, secret, at, binding)).toBe('valid');
    }
  });

  it('replay: the answer works again for the same call and address within the lifetime (documented limit), not for another call or address, not after expiry', () => {
    const header = answer({ nonce });
    expect(run(header, now + 10_000).result).toBe('ok');
    expect(run(header, now + 20_000).result).toBe('ok');
    expect(run(header, now + 20_000, nonceBinding(realm, 'call-other', '203.0.113.7'))).toMatchObject({
      result: 'challenge',
      stale: false,
    });
    expect(run(header, now + 20_000, nonceBinding(realm, 'call-1', '198.51.100.9'))).toMatchObject({
      result: 'challenge',
      stale: false,
    });
    expect(run(header, now + 400_000)).toMatchObject({ result: 'challenge', stale: true });
  });

  it('rejects answers without qop=auth', () => {
    expect(run(answer({ nonce }).replace('qop=auth', 'qop=auth-int'), now).result).toBe('challenge');
  });
});
