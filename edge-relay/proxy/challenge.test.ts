import { describe, expect, it } from 'vitest';
import { headers } from '../sip/message';
import { invite } from '../sip/test-messages';
import { challengeResponse } from './challenge';

const offered = (decision: Parameters<typeof challengeResponse>[2], order?: ('SHA-256' | 'MD5')[]) =>
  headers(challengeResponse(invite(), 'tag', decision, order), 'proxy-authenticate').map(
    (h) => /algorithm=([A-Z0-9-]+)/.exec(h)?.[1],
  );

describe('challengeResponse', () => {
  const base = { action: 'challenge' as const, realm: 'pbx.example', nonce: 'n', stale: false };

  it("keeps the operator's order and subset when the IPBX chose nothing", () => {
    expect(offered({ ...base, algorithms: ['SHA-256', 'MD5'] })).toEqual(['SHA-256', 'MD5']);
    expect(offered({ ...base, algorithms: ['SHA-256', 'MD5'] }, ['MD5'])).toEqual(['MD5']);
  });

  it("offers the IPBX's own list as it stands, one challenge for a one-algorithm list", () => {
    expect(offered({ ...base, algorithms: ['MD5'], fixed: true }, ['SHA-256', 'MD5'])).toEqual(['MD5']);
    expect(offered({ ...base, algorithms: ['MD5', 'SHA-256'], fixed: true }, ['SHA-256'])).toEqual([
      'MD5',
      'SHA-256',
    ]);
  });
});
