import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

/** The files of the npm package `swagger-ui-dist` that /docs serves; the Lambda build copies them beside the bundle. */
export const SWAGGER_UI_FILES = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;

/**
 * Where the files are: `swagger-ui/` beside the bundle or at the Lambda task
 * root (the builds copy them there), else the installed package (npm start).
 */
export function swaggerUiDir(): string {
  const roots = [dirname(fileURLToPath(import.meta.url)), process.env['LAMBDA_TASK_ROOT']];
  for (const root of roots) {
    const dir = root && join(root, 'swagger-ui');
    if (dir && existsSync(join(dir, 'swagger-ui-bundle.js'))) return dir;
  }
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tandem API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#swagger-ui' });</script>
</body>
</html>
`;

/**
 * `GET /docs`: Swagger UI over the OpenAPI document, its assets served by
 * the API itself from the `swagger-ui-dist` package, so the page works with
 * no internet access (an operator's network, CI). Files are read once.
 *
 * @example
 * app.route('/', docsRoutes());
 */
export function docsRoutes(dir: () => string = swaggerUiDir): Hono {
  const cache = new Map<string, Buffer>();
  const routes = new Hono();
  routes.get('/docs', (c) => c.html(page));
  routes.get('/docs/assets/:file', (c) => {
    const file = c.req.param('file');
    if (!Object.hasOwn(SWAGGER_UI_FILES, file)) return c.notFound();
    let body = cache.get(file);
    if (!body) {
      body = readFileSync(join(dir(), file));
      cache.set(file, body);
    }
    return c.body(new Uint8Array(body), 200, {
      'content-type': SWAGGER_UI_FILES[file as keyof typeof SWAGGER_UI_FILES],
      'cache-control': 'public, max-age=86400',
    });
  });
  return routes;
}
