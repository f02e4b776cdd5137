import type { BuildOptions } from 'esbuild';
import lambdaPlugins from './esbuild-plugins.mjs';

/**
 * What SST's Node runtime (pkg/runtime/node/build.go) puts in front of every
 * ESM bundle: a real `require`, `__filename` and `__dirname`, so CommonJS
 * dependencies that require Node builtins keep working inside ESM.
 */
export const esmRequireBanner = [
  "import { createRequire as topLevelCreateRequire } from 'module';",
  'const require = topLevelCreateRequire(import.meta.url);',
  "import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from 'url';",
  'const __filename = topLevelFileUrlToPath(import.meta.url);',
  "const __dirname = topLevelFileUrlToPath(new topLevelURL('.', import.meta.url));",
].join('\n');

/** What both kinds of bundle share: minified ESM for Node 20+, packages' ESM entry first. */
const nodeBundle: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  minify: true,
  metafile: true,
  logLevel: 'warning',
};

/**
 * esbuild options for one Lambda handler, as `sst deploy` builds it: Node
 * platform, ESM, minified, tree-shaken, everything bundled including AWS SDK v3
 * (SST only leaves out `sharp` and `pg-native`), with the plugins of
 * esbuild-plugins.mjs that infra/node-function.ts hands SST too. Target node20:
 * runs on the deployed Node 24 and on the project's Node 20.
 *
 * Code splitting (SST's `nodejs.splitting`): the handler is `<outdir>/<entry name>.mjs`
 * and every dynamically imported module becomes a chunk beside it, loaded on first use,
 * not parsed at every cold start (the AWS SDK's credential providers for SSO, profiles
 * and containers, which a Lambda never uses; libphonenumber until a DID is validated).
 *
 * @example
 * await build(lambdaBuildOptions('functions/api/lambda.ts', 'dist/lambdas/api'));
 */
export function lambdaBuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    ...nodeBundle,
    entryPoints: [entry],
    outdir,
    entryNames: '[name]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    // SST keeps names by default; infra/node-function.ts turns it off as here: the thousands of
    // name-setting calls it adds cost 30–40 ms of every cold start, and nothing reads them.
    keepNames: false,
    treeShaking: true,
    sourcemap: false,
    external: ['sharp', 'pg-native'],
    plugins: lambdaPlugins,
    banner: { js: esmRequireBanner },
  };
}

/**
 * The edge relay as one file for a VM: Node builtins stay external (the
 * platform does that), every npm package is bundled in.
 *
 * @example
 * await build(relayBuildOptions('edge-relay/runner.ts', 'dist/relay/tandem-relay.mjs'));
 */
export function relayBuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    ...nodeBundle,
    entryPoints: [entry],
    outfile,
    // As for the Lambdas: no name-setting call per function and class created (~2 % of the relay's
    // CPU per call); the unit starts node with --enable-source-maps, so stack traces keep real names.
    keepNames: false,
    sourcemap: 'linked',
    banner: { js: `#!/usr/bin/env node\n${esmRequireBanner}` },
  };
}
