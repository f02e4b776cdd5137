import { describe, expect, it } from 'vitest';
import { isLoop, loopHash, newBranch } from './branch';
import { invite } from './test-messages';
import { parseVia } from './via';

describe('branches', () => {
  it('are RFC 3261 branches, unique, with 64 random bits', () => {
    const branches = new Set(Array.from({ length: 10_000 }, () => newBranch('abc')));
    expect(branches.size).toBe(10_000);
    for (const b of [...branches].slice(0, 10)) expect(b).toMatch(/^z9hG4bKabc\.[0-9a-f]{16}$/);
  });
});

describe('loop detection', () => {
  const own = (v: { host: string; port?: number | undefined }) => v.host === '192.0.2.1' && v.port === 5060;

  it('sees our own Via with the same hash as a loop', () => {
    const req = invite();
    const via = parseVia(`SIP/2.0/UDP 192.0.2.1:5060;branch=${newBranch(loopHash(req))}`)!;
    expect(isLoop([via], loopHash(req), own)).toBe(true);
  });

  it('lets a spiral through (same relay, other Request-URI)', () => {
    const req = invite();
    const via = parseVia(`SIP/2.0/UDP 192.0.2.1:5060;branch=${newBranch(loopHash(req))}`)!;
    const spiral = { ...req, uri: 'sip:+8299@192.0.2.1' };
    expect(isLoop([via], loopHash(spiral), own)).toBe(false);
  });

  it('ignores another proxy with the same hash', () => {
    const req = invite();
    const via = parseVia(`SIP/2.0/UDP 203.0.113.9:5060;branch=${newBranch(loopHash(req))}`)!;
    expect(isLoop([via], loopHash(req), own)).toBe(false);
  });
});
