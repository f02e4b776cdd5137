import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { fieldErrors, HttpError } from '../store/errors';
import { logLine } from './log';

/** RFC 9457 problem details, with the failing fields. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string(), line: z.number().int().optional() }))
      .optional(),
  })
  .openapi('Problem');

export const PROBLEM_TYPE = 'about:blank';

/** Client errors a Hono middleware may raise that keep their own status; any other 4xx is a 400. */
const KEPT_STATUSES = [401, 403, 404, 405, 413, 415] as const;
const STATUS_TITLES = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
} as const;

export function problemResponse(error: HttpError): Response {
  return new Response(
    JSON.stringify({
      type: PROBLEM_TYPE,
      title: error.title,
      status: error.status,
      detail: error.detail,
      ...(error.errors ? { errors: error.errors } : {}),
    }),
    { status: error.status, headers: { 'content-type': 'application/problem+json' } },
  );
}

/** Every error leaves as problem+json; only real faults are 500 (and logged without request data). */
export function onError(error: Error, _c: Context): Response {
  if (error instanceof HttpError) return problemResponse(error);
  if (error instanceof HTTPException && error.status < 500) {
    const status = KEPT_STATUSES.find((s) => s === error.status) ?? 400;
    return problemResponse(new HttpError(status, STATUS_TITLES[status], error.message));
  }
  if (storeUnavailable(error)) {
    return problemResponse(
      new HttpError(503, 'Service Unavailable', 'the store does not answer; retry later'),
    );
  }
  logLine({ level: 'error', msg: 'unhandled error', error: error.message, stack: error.stack });
  return problemResponse(new HttpError(500, 'Internal Server Error', 'an unexpected error occurred'));
}

/**
 * zod-openapi's defaultHook: a failed validation becomes a 400 naming each
 * field by its path; a valid JSON body that carried fields the schema does not
 * know (zod drops them) is refused too, naming each, so a misspelt field is
 * never silently ignored.
 */
export async function validationHook(
  result: { success: boolean; target: string; error?: z.ZodError; data?: unknown },
  c: Context,
): Promise<Response | undefined> {
  const where = result.target === 'json' ? 'body' : result.target;
  if (!result.success && result.error) {
    return problemResponse(
      new HttpError(
        400,
        'Bad Request',
        `the request ${where} is invalid`,
        fieldErrors(result.error.issues.flatMap((issue) => plainIssues(issue))),
      ),
    );
  }
  if (result.success && result.target === 'json') {
    const unknown = unknownFields(await c.req.json(), result.data);
    if (unknown.length > 0) {
      return problemResponse(
        new HttpError(
          400,
          'Bad Request',
          `the request body has fields this endpoint does not know: ${unknown.join(', ')}`,
          unknown.map((field) => ({ field, message: 'is not a field of this request' })),
        ),
      );
    }
  }
  return undefined;
}

type Issue = z.core.$ZodIssue;

/**
 * Issues as fields a client can act on: an unknown key of a strict object is
 * named by its own path, and a body that fits no branch of a union is
 * reported with the branch it came closest to (fewest issues), instead of
 * one "invalid input" for the whole body.
 */
function plainIssues(issue: Issue): { path: PropertyKey[]; message: string }[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: [...issue.path, key],
      message: 'is not a field of this request',
    }));
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
    return closest.flatMap((inner) =>
      plainIssues({ ...inner, path: [...issue.path, ...inner.path] } as Issue),
    );
  }
  return [{ path: [...issue.path], message: issue.message }];
}

/** Paths of keys in `sent` that the validated `kept` lacks (zod strips unknown keys). */
export function unknownFields(sent: unknown, kept: unknown, path = ''): string[] {
  if (typeof sent !== 'object' || sent === null || typeof kept !== 'object' || kept === null) return [];
  const keptRecord = kept as Record<string, unknown>;
  return Object.entries(sent).flatMap(([key, value]) => {
    const at = path ? `${path}.${key}` : key;
    return key in keptRecord ? unknownFields(value, keptRecord[key], at) : [at];
  });
}

/** The error responses every route documents. */
export function problemResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 503)[]) {
  const descriptions = {
    400: 'Invalid request (the fields are named in `errors`)',
    401: 'Missing or unknown api key',
    403: 'Not allowed for this key',
    404: 'Not found (or another customer’s)',
    409: 'Conflict (uniqueness, still referenced, concurrent change)',
    503: 'Unavailable',
  } as const;
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: descriptions[s], content: { 'application/problem+json': { schema: problemSchema } } },
    ]),
  );
}

const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const THROTTLED = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

/** DynamoDB down, unreachable or throttling: the caller should retry (503), it is not a bug (500). */
function storeUnavailable(error: Error): boolean {
  const e = error as Error & { code?: string; $fault?: string; cause?: { code?: string } };
  return (
    UNAVAILABLE.has(e.code ?? '') ||
    UNAVAILABLE.has(e.cause?.code ?? '') ||
    e.name === 'TimeoutError' ||
    THROTTLED.has(e.name) ||
    e.$fault === 'server'
  );
}
