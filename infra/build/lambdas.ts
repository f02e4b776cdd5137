import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CONSOLE_FILES } from '../../functions/api/console-routes';
import { SWAGGER_UI_FILES } from '../../functions/api/docs-routes';
import { buildConsole } from './console';
import { lambdaBuildOptions } from './esbuild-options';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Files a function reads at run time, copied beside its bundle (SST: `copyFiles` in infra/api.ts). */
export const lambdaFiles: Partial<Record<LambdaName, { from: string; to: string }[]>> = {
  api: [
    ...Object.keys(SWAGGER_UI_FILES).map((file) => ({
      from: `node_modules/swagger-ui-dist/${file}`,
      to: `swagger-ui/${file}`,
    })),
    // The console's build (`npm run build:console`, which buildLambdas runs first), served at /console/.
    ...Object.keys(CONSOLE_FILES).map((file) => ({ from: `dist/console/${file}`, to: `console/${file}` })),
  ],
};

/** Every Lambda handler infra/ deploys: name → entry (handler export `handler`). */
export const lambdas = {
  api: 'functions/api/lambda.ts',
  decision: 'functions/decision/lambda.ts',
  cdr: 'functions/cdr/lambda.ts',
} as const;

export type LambdaName = keyof typeof lambdas;

export const defaultLambdaDir = join(root, 'dist', 'lambdas');

/** Where a handler's bundle goes; the Lambda handler string is `lambda.handler`. */
export const lambdaBundlePath = (name: LambdaName, outDir = defaultLambdaDir) =>
  join(outDir, name, 'lambda.mjs');

/**
 * Bundles every handler into <outDir>/<name>/ (default dist/lambdas): the
 * handler lambda.mjs, its lazily loaded chunks and the files it reads at run
 * time. Returns each function's code size in bytes (the bundle and chunks).
 *
 * @example
 * const sizes = await buildLambdas(); // { api: 612345, decision: 401234 }
 */
export async function buildLambdas(outDir = defaultLambdaDir): Promise<Record<LambdaName, number>> {
  const sizes = {} as Record<LambdaName, number>;
  await buildConsole();
  for (const [name, entry] of Object.entries(lambdas) as [LambdaName, string][]) {
    const dir = dirname(lambdaBundlePath(name, outDir));
    rmSync(dir, { recursive: true, force: true });
    const { metafile } = await build(lambdaBuildOptions(join(root, entry), dir));
    sizes[name] = Object.values(metafile?.outputs ?? {}).reduce((sum, output) => sum + output.bytes, 0);
    for (const { from, to } of lambdaFiles[name] ?? []) {
      mkdirSync(dirname(join(dir, to)), { recursive: true });
      copyFileSync(join(root, from), join(dir, to));
    }
  }
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await buildLambdas();
  for (const [name, bytes] of Object.entries(sizes)) {
    console.log(`${lambdaBundlePath(name as LambdaName)}  ${(bytes / 1024).toFixed(1)} KiB with its chunks`);
  }
}
