import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HttpError } from '../store/errors';
import { problemResponse } from './problem';

/** Largest JSON body of a configuration request (docs/api.md). */
export const JSON_BODY_LIMIT = 1024 * 1024;
/** Largest CSV body (a rate deck import): 1M lines of `prefix,rate,…` fit. */
export const CSV_BODY_LIMIT = 64 * 1024 * 1024;
/**
 * Largest body of `POST /v1/cdrs`: 500 records of the CDR contract at their maximum sizes take
 * 2.64 MiB (a typical batch of 1–3 attempts, 0.4–0.65 MiB; five attempts, 0.86 MiB, too near
 * JSON_BODY_LIMIT). Lambda takes 6 MB of request payload: 3 MiB stays under it once API Gateway
 * has escaped the body into its event.
 */
export const CDR_BODY_LIMIT = 3 * 1024 * 1024;
/** Deepest nesting of objects and arrays a JSON body may have; the deepest resource needs 4. */
export const MAX_JSON_DEPTH = 32;

const CSV_PATHS = new Set(['/v1/rates']);
/** JSON paths allowed more than JSON_BODY_LIMIT (docs/cdrs.md). */
const LARGE_JSON_PATHS = new Map([['/v1/cdrs', CDR_BODY_LIMIT]]);
/** Methods whose requests carry a body here (DELETE takes none). */
const WRITES = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Checks every write of the configuration API before it reaches a route:
 * the content type (415), the size (413), and for JSON the syntax, the
 * nesting depth and the text of every key and string (well-formed Unicode,
 * no NUL), each refused with a problem+json that names what is wrong.
 * Decide is not guarded here: it is the relay's hot path and checks its own
 * body (decide-handler.ts).
 */
export function requestGuard(): MiddlewareHandler {
  const jsonLimit = bodyLimit({ maxSize: JSON_BODY_LIMIT, onError: () => tooLarge(JSON_BODY_LIMIT) });
  const csvLimit = bodyLimit({ maxSize: CSV_BODY_LIMIT, onError: () => tooLarge(CSV_BODY_LIMIT) });
  const largeLimits = new Map(
    [...LARGE_JSON_PATHS].map(([path, max]) => [
      path,
      bodyLimit({ maxSize: max, onError: () => tooLarge(max) }),
    ]),
  );
  return async (c, next) => {
    if (!WRITES.has(c.req.method)) return next();
    const csv = CSV_PATHS.has(c.req.path);
    const expected = csv ? 'text/csv' : 'application/json';
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== expected) {
      return problemResponse(
        new HttpError(415, 'Unsupported Media Type', `the body must be ${expected}`, [
          {
            field: 'content-type',
            message: type ? `is ${type}, expected ${expected}` : `is missing, expected ${expected}`,
          },
        ]),
      );
    }
    if (csv) return csvLimit(c, next);
    return (largeLimits.get(c.req.path) ?? jsonLimit)(c, async () => {
      const text = await c.req.text(); // throws the body limit's own error: a 413
      // Route groups built on first use (api/lazy-group.ts) read the request again.
      c.req.raw = new Request(c.req.url, { method: c.req.method, headers: c.req.raw.headers, body: text });
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        c.res = invalid({ field: '(body)', message: 'is not valid JSON' });
        return;
      }
      const problem = jsonProblem(body);
      if (problem) c.res = invalid(problem);
      else await next();
    });
  };
}

const invalid = (error: { field: string; message: string }) =>
  problemResponse(new HttpError(400, 'Bad Request', 'the request body is invalid', [error]));

function tooLarge(limit: number): Response {
  return problemResponse(
    new HttpError(413, 'Content Too Large', `the body is larger than ${limit} bytes`, [
      { field: '(body)', message: `must be at most ${limit} bytes` },
    ]),
  );
}

/**
 * The first thing wrong with a parsed JSON body: nesting deeper than
 * MAX_JSON_DEPTH, or a key or string that is not well-formed Unicode (a
 * lone surrogate breaks every JSON client that later reads it) or holds NUL.
 * Iterative, so a hostile nesting cannot exhaust the stack.
 */
export function jsonProblem(body: unknown): { field: string; message: string } | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const wrong = badText(value);
      if (wrong) return { field: path || '(body)', message: wrong };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      return { field: path || '(body)', message: `nests deeper than ${MAX_JSON_DEPTH} levels` };
    }
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (const [key, child] of entries) {
      const childPath = path ? `${path}.${key}` : key;
      const wrongKey = badText(key);
      if (wrongKey) return { field: childPath, message: `its name ${wrongKey}` };
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

function badText(text: string): string | undefined {
  if (!text.isWellFormed()) return 'is not well-formed Unicode (a lone surrogate)';
  if (text.includes('\u0000')) return 'contains a NUL character';
  return undefined;
}
