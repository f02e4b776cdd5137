import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Context, Hono } from 'hono';

/** The files of the console build (`npm run build:console`, infra/build/console.ts) that /console serves. */
export const CONSOLE_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
} as const;

type ConsoleFile = keyof typeof CONSOLE_FILES;

/**
 * Where the built files are: `console/` beside the bundle or at the Lambda task root (the Lambda
 * build copies them there), else the repository's `dist/console` (npm start, tests).
 */
export function consoleDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const roots = [here, process.env['LAMBDA_TASK_ROOT']];
  for (const root of roots) {
    const dir = root && join(root, 'console');
    if (dir && existsSync(join(dir, 'app.js'))) return dir;
  }
  return resolve(here, '../../dist/console');
}

/** The page and its assets come from this origin only; the key travels in a header, never a URL. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * `GET /console/`: the operator console, static files built from console/ (no CDN: it works
 * offline), read from disk once. It calls the JSON API with the key the user signs in with.
 *
 * @example
 * app.route('/', consoleRoutes());
 */
export function consoleRoutes(dir: () => string = consoleDir): Hono {
  const cache = new Map<ConsoleFile, Uint8Array<ArrayBuffer>>();
  const serve = (file: ConsoleFile) => {
    let body = cache.get(file);
    if (!body) {
      const path = join(dir(), file);
      if (!existsSync(path)) return undefined;
      body = new Uint8Array(readFileSync(path));
      cache.set(file, body);
    }
    return body;
  };
  const routes = new Hono();
  routes.get('/console', (c) => c.redirect('/console/', 308));
  const answer = (c: Context, name: string) => {
    if (!Object.hasOwn(CONSOLE_FILES, name)) return c.notFound();
    const file = name as ConsoleFile;
    const body = serve(file);
    if (!body) {
      return c.text('The console is not built: run `npm run build:console`.', 503, SECURITY_HEADERS);
    }
    return c.body(body, 200, {
      ...SECURITY_HEADERS,
      'content-type': CONSOLE_FILES[file],
      'cache-control': file === 'index.html' ? 'no-cache' : 'public, max-age=300',
    });
  };
  routes.get('/console/', (c) => answer(c, 'index.html'));
  routes.get('/console/:file', (c) => answer(c, c.req.param('file')));
  return routes;
}
