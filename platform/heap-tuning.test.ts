import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Objects of one literal kept alive across young collections (as a call's
 * dialog is), then a fresh batch of the same literal: the bytes the old
 * generation grew by while the batch was made. Run in its own process so the
 * V8 flags of the test runner are untouched; the young generation is fixed at
 * 2 MB because V8 pretenures only once it has grown to its largest size, and
 * the fresh batch (~250 KB) fits in it without a collection.
 */
function oldGenerationGrowth(tune: boolean): number {
  const script = `
    import v8 from 'node:v8';
    import { tuneHeapForCalls } from './platform/heap-tuning.ts';
    if (${tune}) tuneHeapForCalls();
    const make = (i) => ({ id: i, next: null, tag: 'call' });
    const oldSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
    const kept = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 20000; i++) kept.push(make(i));
      globalThis.gc({ type: 'minor' });
    }
    globalThis.gc();
    const before = oldSpace();
    const fresh = [];
    for (let i = 0; i < 5000; i++) fresh.push(make(i));
    console.log(oldSpace() - before, kept.length + fresh.length);`;
  const result = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--min-semi-space-size=2',
      '--max-semi-space-size=2',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } },
  );
  expect(result.stderr).toBe('');
  return Number(result.stdout.split(' ')[0]);
}

describe('tuneHeapForCalls', () => {
  it('keeps new objects of a long-lived kind in the young generation', () => {
    // Without it V8 pretenures the site: the fresh batch (5,000 × ~50 B) lands in the old generation.
    // Whether V8 decides so within this run depends on when its parallel scavenges sample the
    // site, so the untuned case gets three runs to show it; the tuned one must never.
    const untuned = [0, 1, 2].map(() => oldGenerationGrowth(false));
    expect(Math.max(...untuned)).toBeGreaterThan(200_000);
    for (let i = 0; i < 3; i++) expect(oldGenerationGrowth(true)).toBe(0);
  });
});
