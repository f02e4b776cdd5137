import type { Hono } from 'hono';
import { HttpError } from '../store/errors';
import { problemResponse } from './problem';

/** 405 with the `Allow` header RFC 9110 §15.5.6 asks for. */
export function methodNotAllowed(allowed: readonly string[]): Response {
  const response = problemResponse(
    new HttpError(405, 'Method Not Allowed', `this path answers ${allowed.join(', ')}`, [
      { field: 'method', message: `must be one of ${allowed.join(', ')}` },
    ]),
  );
  response.headers.set('allow', allowed.join(', '));
  return response;
}

/**
 * The methods a group's routes answer on `path` (Hono patterns, `:id`
 * segments), for a request no route of the group took: a known path with
 * the wrong method is a 405, not a 404.
 *
 * @example
 * allowedMethods(customersGroup, '/v1/customers/3f1c…'); // ['GET', 'PUT', 'PATCH', 'DELETE']
 */
export function allowedMethods(group: Pick<Hono, 'routes'>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of group.routes) {
    if (route.method === 'ALL') continue;
    const pattern = new RegExp(`^${route.path.replace(/:[^/]+/g, '[^/]+')}/?$`);
    if (pattern.test(path)) methods.add(route.method);
  }
  return [...methods];
}
