import { describe, expect, it } from 'vitest';
import { createSourceGuard, isScannerAgent } from './source-guard';

describe('source guard', () => {
  const options = { maxRejects: 3, windowMs: 1000, banMs: 5000 };

  it('bans a source at the last refusal allowed within the window, for the ban time', () => {
    const guard = createSourceGuard(options);
    expect(guard.rejected('203.0.113.9', 0)).toBe(false);
    expect(guard.rejected('203.0.113.9', 100)).toBe(false);
    expect(guard.banned('203.0.113.9', 150)).toBe(false);
    expect(guard.rejected('203.0.113.9', 200)).toBe(true);
    expect(guard.banned('203.0.113.9', 201)).toBe(true);
    expect(guard.banned('203.0.113.10', 201)).toBe(false);
    expect(guard.bannedCount(201)).toBe(1);
    expect(guard.banned('203.0.113.9', 5199)).toBe(true);
    expect(guard.banned('203.0.113.9', 5200)).toBe(false);
    expect(guard.bannedCount(5200)).toBe(0);
  });

  it('starts counting again when the window has passed', () => {
    const guard = createSourceGuard(options);
    guard.rejected('203.0.113.9', 0);
    guard.rejected('203.0.113.9', 500);
    expect(guard.rejected('203.0.113.9', 1000)).toBe(false); // a new window: 1 of 3
    expect(guard.rejected('203.0.113.9', 1500)).toBe(false);
    expect(guard.rejected('203.0.113.9', 1900)).toBe(true);
  });

  it('does not ban when turned off, and forgets the oldest sources past its bound', () => {
    const off = createSourceGuard({ ...options, maxRejects: 0 });
    for (let i = 0; i < 10; i++) expect(off.rejected('203.0.113.9', i)).toBe(false);
    expect(off.banned('203.0.113.9', 10)).toBe(false);

    const small = createSourceGuard({ ...options, maxRejects: 1, maxSources: 2 });
    small.rejected('a', 0);
    small.rejected('b', 0);
    small.rejected('c', 0); // 'a' is forgotten
    expect([small.banned('a', 1), small.banned('b', 1), small.banned('c', 1)]).toEqual([false, true, true]);
  });
});

describe('scanner user agents', () => {
  it('knows the usual scanners and nothing else', () => {
    for (const ua of ['friendly-scanner', 'sipvicious', 'sipcli/v1.8', 'VaxSIPUserAgent/3.1', 'pplsip'])
      expect(isScannerAgent(ua)).toBe(true);
    for (const ua of [undefined, 'Asterisk PBX 20.5.0', 'FPBX-16.0.40', 'Grandstream UCM6304', 'sipp'])
      expect(isScannerAgent(ua)).toBe(false);
  });
});
