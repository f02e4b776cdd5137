import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where `npm run build:console` writes the console; functions/api/console-routes.ts reads it there. */
export const defaultConsoleDir = join(root, 'dist', 'console');

/**
 * Builds the browser console (console/) into `outDir`: `app.js` (Preact and the app, one minified
 * bundle, no CDN), `app.css` and `index.html`. Returns the bytes of each file.
 *
 * @example
 * await buildConsole(); // dist/console/{index.html,app.js,app.css}
 */
export async function buildConsole(outDir = defaultConsoleDir): Promise<Record<string, number>> {
  mkdirSync(outDir, { recursive: true });
  const { outputFiles } = await build({
    entryPoints: [join(root, 'console/src/main.tsx')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  // Each file is written beside its place and renamed over it: a build running while the API (or
  // another build) reads the directory never shows a half-written file.
  const place = (file: string, body: Uint8Array | string) => {
    const temporary = join(outDir, `.${file}.${process.pid}.tmp`);
    writeFileSync(temporary, body);
    renameSync(temporary, join(outDir, file));
  };
  place('app.js', outputFiles[0]!.contents);
  for (const file of ['index.html', 'app.css']) place(file, readFileSync(join(root, 'console', file)));
  return Object.fromEntries(
    ['index.html', 'app.js', 'app.css'].map((file) => [file, statSync(join(outDir, file)).size]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await buildConsole();
  for (const [file, bytes] of Object.entries(sizes)) {
    console.log(`${join(defaultConsoleDir, file)}  ${(bytes / 1024).toFixed(1)} KiB`);
  }
}
