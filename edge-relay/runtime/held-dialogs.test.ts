import { describe, expect, it } from 'vitest';
import { createHeldDialogs } from './held-dialogs';

const T0 = 1_767_225_600_000;
const TTL = 60_000;

describe('held dialogs', () => {
  it('counts own and adopted calls until they are released', () => {
    const held = createHeldDialogs(TTL, T0);
    held.hold('own-1', T0 + 1_000);
    held.hold('own-2', T0 + 2_000);
    held.hold('adopted', T0 - 30_000); // set up by another relay before this one started
    held.hold('own-1', T0 + 1_000); // its re-INVITE found it again
    expect(held.count(T0 + 3_000)).toBe(3);
    held.release('own-1');
    held.release('unknown');
    expect(held.count(T0 + 3_000)).toBe(2);
    expect(held.has('own-2')).toBe(true);
  });

  it('forgets calls past the dialog lifetime (ended by expiry, here or on another relay)', () => {
    const held = createHeldDialogs(TTL, T0);
    held.hold('a', T0);
    held.hold('b', T0 + 10_000);
    expect(held.count(T0 + TTL - 1)).toBe(2);
    expect(held.count(T0 + TTL)).toBe(1);
    expect(held.has('a')).toBe(false);
    expect(held.count(T0 + TTL + 10_000)).toBe(0);
  });

  it("gives the oldest call's age, adopted ones included; 0 with none", () => {
    const held = createHeldDialogs(TTL, T0);
    expect(held.oldestAgeMs(T0)).toBe(0);
    held.hold('new', T0 + 5_000);
    held.hold('adopted-old', T0 - 20_000);
    expect(held.oldestAgeMs(T0 + 10_000)).toBe(30_000);
    held.release('adopted-old');
    expect(held.oldestAgeMs(T0 + 10_000)).toBe(5_000);
    expect(held.oldestAgeMs(T0 + 5_000 + TTL)).toBe(0);
  });
});
