import { describe, expect, it } from 'vitest';
import { HttpError } from '../store/errors';
import { presentedKey } from './auth';

const refused = (run: () => unknown): HttpError => {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('presentedKey', () => {
  it('takes the Bearer header everywhere', () => {
    expect(presentedKey({ path: '/v1/routes', authorization: 'Bearer k1', tokens: [] }, false)).toBe('k1');
    expect(presentedKey({ path: '/v1.0/routes', authorization: 'bearer  k2 ', tokens: [] }, true)).toBe('k2');
  });

  it('takes ?token= on /v1.0 paths only when the mode is on', () => {
    expect(presentedKey({ path: '/v1.0/routes', authorization: undefined, tokens: ['k3'] }, true)).toBe('k3');
    const off = refused(() =>
      presentedKey({ path: '/v1.0/routes', authorization: undefined, tokens: ['k3'] }, false),
    );
    expect(off.status).toBe(401);
    expect(off.detail).toMatch(/\?token=\) is off on this server \(TANDEM_API_TOKEN_IN_QUERY\)/);
  });

  it('refuses ?token= while off even beside a valid header: the key already travels in URLs', () => {
    const error = refused(() =>
      presentedKey({ path: '/v1.0/providers', authorization: 'Bearer k', tokens: ['k'] }, false),
    );
    expect(error.detail).toMatch(/is off/);
  });

  it('ignores ?token= outside /v1.0 (the header is required there)', () => {
    const error = refused(() =>
      presentedKey({ path: '/v1/routes', authorization: undefined, tokens: ['k'] }, true),
    );
    expect(error.detail).toBe('send Authorization: Bearer <api key>');
  });

  it('refuses a key sent twice (header and query, or two tokens)', () => {
    for (const request of [
      { path: '/v1.0/routes', authorization: 'Bearer a', tokens: ['a'] },
      { path: '/v1.0/routes', authorization: undefined, tokens: ['a', 'b'] },
    ]) {
      expect(refused(() => presentedKey(request, true)).detail).toMatch(/send the api key once/);
    }
  });
});
