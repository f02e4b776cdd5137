import { chmodSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { relayBuildOptions } from './esbuild-options';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where `npm run build:relay` writes the relay; install.sh copies it to /opt/tandem. */
export const relayBundlePath = (outDir = join(root, 'dist', 'relay')) => join(outDir, 'tandem-relay.mjs');

/**
 * Bundles edge-relay/runner.ts into one executable file (default
 * dist/relay/tandem-relay.mjs) and returns its size in bytes.
 *
 * @example
 * await buildRelay();
 */
export async function buildRelay(outDir?: string): Promise<number> {
  const outfile = relayBundlePath(outDir);
  await build(relayBuildOptions(join(root, 'edge-relay', 'runner.ts'), outfile));
  chmodSync(outfile, 0o755);
  return statSync(outfile).size;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await buildRelay();
  console.log(`${relayBundlePath()}  ${(bytes / 1024).toFixed(1)} KiB`);
}
