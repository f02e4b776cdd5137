/**
 * What every Tandem Lambda shares: Graviton (20% cheaper per GB-second than
 * x86; the bundles hold no native code), ESM, minified, AWS SDK v3 bundled
 * (SST's default), the esbuild plugins of infra/build/esbuild-plugins.mjs
 * (path relative to sst.config.ts), as `npm run build:lambdas` reproduces.
 *
 * Runtime nodejs24.x, not 20: Node 20 reached end of life on 30 April 2026 and
 * Lambda deprecates a runtime with it (then blocks creating functions on it);
 * AWS SDK v3 releases from 2027 need Node 22+. The bundles target node20
 * syntax, so they run on the project's Node 20 locally and on 24 in Lambda.
 */
export const nodeFunction = {
  runtime: 'nodejs24.x',
  architecture: 'arm64',
  nodejs: {
    format: 'esm',
    minify: true,
    // No name-keeping calls (SST's default adds them): 30–40 ms less cold init, nothing reads them.
    esbuild: { keepNames: false },
    // Dynamic imports become chunks loaded on first use, not parsed at every cold start.
    splitting: true,
    plugins: 'infra/build/esbuild-plugins.mjs',
  },
} as const satisfies Partial<sst.aws.FunctionArgs>;
