import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { relayBuildOptions } from '../infra/build';

/**
 * A benchmark's child script (the relay, the decision server) bundled the way
 * `npm run build:relay` bundles the relay for a VM (minified ESM, every package
 * inside), so the benchmarks measure code as deployed rather than TypeScript
 * compiled on the fly by a loader (tsx adds a name-setting call to every
 * closure it creates and a loader thread).
 *
 * @example
 * const relay = await bundleChild('bench/sip/tandem-relay.ts');
 * spawn(process.execPath, [relay.file, config]); // ... relay.remove() when done
 */
export async function bundleChild(entry: string): Promise<{ file: string; remove(): void }> {
  const file = join(mkdtempSync(join(tmpdir(), 'tandem-bench-child-')), 'child.mjs');
  // BENCH_CHILD_MINIFY=0: readable function names in a --cpu-prof profile (BENCH_RELAY_NODE_ARGS).
  const minify = process.env['BENCH_CHILD_MINIFY'] !== '0';
  await build({ ...relayBuildOptions(entry, file), ...(minify ? {} : { minify: false }) });
  return { file, remove: () => rmSync(dirname(file), { recursive: true, force: true }) };
}
