import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestAuthorization, parseChallenge } from './digest';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const creds = {
  username: 'Mufasa',
  realm: 'testrealm@host.com',
  ha1_md5: md5('Mufasa:testrealm@host.com:Circle Of Life'),
  ha1_sha256: sha256('Mufasa:testrealm@host.com:Circle Of Life'),
};

describe('outbound digest from HA1', () => {
  it('matches the RFC 2617 §3.5 example (MD5, qop=auth)', () => {
    const challenge = parseChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    const value = digestAuthorization(challenge, creds, 'GET', '/dir/index.html', () => '0a4f113b')!;
    expect(value).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(value).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it('uses the SHA-256 HA1 for an SHA-256 challenge (RFC 7616)', () => {
    const challenge = parseChallenge('Digest realm="testrealm@host.com", nonce="n1", algorithm=SHA-256')!;
    const value = digestAuthorization(challenge, creds, 'INVITE', 'sip:a@b')!;
    const expected = sha256(`${creds.ha1_sha256}:n1:${sha256('INVITE:sip:a@b')}`);
    expect(value).toContain(`response="${expected}"`);
    expect(value).toContain('algorithm=SHA-256');
  });

  it('refuses another realm and unknown algorithms', () => {
    expect(
      digestAuthorization(parseChallenge('Digest realm="other", nonce="n"')!, creds, 'INVITE', 'sip:a@b'),
    ).toBeUndefined();
    expect(parseChallenge('Digest realm="r", nonce="n", algorithm=SHA-512-256')).toBeUndefined();
  });
});
