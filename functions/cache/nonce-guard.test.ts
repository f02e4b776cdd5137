import { describe, expect, it } from 'vitest';
import { createMemoryNonceGuard, createUpstashNonceGuard } from './nonce-guard';

describe('nonce guard', () => {
  it('memory: first use only, again after the lifetime', async () => {
    let t = 0;
    const guard = createMemoryNonceGuard(() => t);
    expect(await guard.firstUse('a', 300)).toBe(true);
    expect(await guard.firstUse('a', 300)).toBe(false);
    expect(await guard.firstUse('b', 300)).toBe(true);
    t = 301_000;
    expect(await guard.firstUse('a', 300)).toBe(true);
  });

  it('redis unreachable: fails open', async () => {
    const guard = createUpstashNonceGuard({ url: 'http://127.0.0.1:9', token: 't' });
    expect(await guard.firstUse('a', 300)).toBe(true);
  });
});
