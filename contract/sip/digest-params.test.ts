import { describe, expect, it } from 'vitest';
import { parseDigestParams } from './digest-params';

describe('parseDigestParams', () => {
  it('unescapes quoted strings, keeping their commas and escaped quotes', () => {
    expect(parseDigestParams('Digest username="a\\"b", realm="r, x", opaque="\\\\"')).toEqual({
      username: 'a"b',
      realm: 'r, x',
      opaque: '\\',
    });
  });

  it('reads unquoted tokens to the next comma or space', () => {
    expect(parseDigestParams('Digest qop=auth,nc=00000001, algorithm=SHA-256')).toEqual({
      qop: 'auth',
      nc: '00000001',
      algorithm: 'SHA-256',
    });
  });

  it('keeps the last value of a repeated name, names lower-cased', () => {
    expect(parseDigestParams('Digest realm="a", Realm="b", NONCE=n')).toEqual({ realm: 'b', nonce: 'n' });
  });

  it('allows whitespace around the scheme, the equals signs and the commas', () => {
    expect(parseDigestParams(' \tdigest\t realm = "r" ,\tnonce\t=\tn ,qop="auth" ')).toEqual({
      realm: 'r',
      nonce: 'n',
      qop: 'auth',
    });
  });

  it('skips text that is not a parameter, and an empty list is no parameters', () => {
    expect(parseDigestParams('Digest junk, realm="r"')).toEqual({ realm: 'r' });
    expect(parseDigestParams('Digest ')).toEqual({});
  });

  it('refuses other schemes and a scheme glued to its parameters', () => {
    expect(parseDigestParams('Basic abc')).toBeUndefined();
    expect(parseDigestParams('Digestrealm="r"')).toBeUndefined();
    expect(parseDigestParams('')).toBeUndefined();
  });
});
