// esbuild plugins for the Lambda bundles, shared by `npm run build:lambdas`
// (infra/build/esbuild-options.ts) and `sst deploy` (infra/node-function.ts,
// `nodejs.plugins`, which SST loads with plain Node: hence JavaScript).
import { dirname } from 'node:path';

const localeIndex = /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;

/**
 * zod v4 "classic" ships its error messages in ~50 languages. @hono/zod-openapi
 * hands the whole `z` namespace to zod-to-openapi, so esbuild cannot drop any
 * of them: ~260 KB of a 1 MB budget. Tandem answers in English only, so zod's
 * locale index resolves to English alone (`z.locales.en`, zod's default).
 *
 * @returns {import('esbuild').Plugin}
 */
export function zodEnglishOnly() {
  return {
    name: 'zod-english-only',
    setup(build) {
      // Filter inside the callback: SST's plugin bridge (.sst/platform/functions/
      // nodejs-runtime/plugin.mjs) tests `filter` against its message, not the path.
      build.onLoad({ filter: /.*/ }, (args) =>
        localeIndex.test(args.path)
          ? {
              contents: "export { default as en } from './en.js';\n",
              loader: 'js',
              resolveDir: dirname(args.path),
            }
          : undefined,
      );
    },
  };
}

const leftOut = /[\\/]node_modules[\\/](?:bowser|@aws-sdk[\\/]nested-clients)[\\/]/;

/**
 * Two parts of the AWS SDK a Lambda never runs, left out of the bundles
 * (~85 KB of the 1 MB budget): `bowser`, which parses a browser's user agent,
 * and `@aws-sdk/nested-clients`, the SSO, STS and sign-in clients behind
 * profile-based credentials (SSO, assume-role from ~/.aws/config, web
 * identity). A function takes its credentials from the Lambda environment,
 * first in the default chain. Both are reached only through dynamic imports; a
 * module here throws, naming itself, if anything ever evaluates it.
 *
 * @returns {import('esbuild').Plugin}
 */
export function awsSdkForLambdaOnly() {
  return {
    name: 'aws-sdk-for-lambda-only',
    setup(build) {
      build.onLoad({ filter: /.*/ }, (args) =>
        leftOut.test(args.path)
          ? {
              contents: `throw new Error(${JSON.stringify(`left out of the Lambda bundle: ${args.path.replace(/^.*node_modules[\\/]/, '')}`)});\n`,
              loader: 'js',
            }
          : undefined,
      );
    },
  };
}

export default [zodEnglishOnly(), awsSdkForLambdaOnly()];
