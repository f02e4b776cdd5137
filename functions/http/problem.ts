import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { fieldErrors, HttpError } from '../store/errors';

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
    const status = error.status === 401 || error.status === 403 || error.status === 404 ? error.status : 400;
    return problemResponse(
      new HttpError(status, error.status === 400 ? 'Bad Request' : 'Error', error.message),
    );
  }
  if (storeUnavailable(error)) {
    return problemResponse(
      new HttpError(503, 'Service Unavailable', 'the store does not answer; retry later'),
    );
  }
  console.error(
    JSON.stringify({ level: 'error', msg: 'unhandled error', error: error.message, stack: error.stack }),
  );
  return problemResponse(new HttpError(500, 'Internal Server Error', 'an unexpected error occurred'));
}

/** zod-openapi's defaultHook: a failed validation becomes a 400 naming each field by its path. */
export function validationHook(result: {
  success: boolean;
  target: string;
  error?: z.ZodError;
}): Response | undefined {
  if (result.success || !result.error) return undefined;
  const where = result.target === 'json' ? 'body' : result.target;
  return problemResponse(
    new HttpError(400, 'Bad Request', `the request ${where} is invalid`, fieldErrors(result.error.issues)),
  );
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
