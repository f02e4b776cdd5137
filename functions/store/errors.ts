/** One failing field of a request, named by its path (`allowed_sources.0.cidr`) or CSV line. */
export type FieldError = { field: string; message: string; line?: number };

/**
 * An error that knows its HTTP status; the API renders it as
 * `application/problem+json` (RFC 9457).
 *
 * @example
 * throw new HttpError(409, 'Conflict', 'number +14155550100 is already used by did 3f1c…');
 */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 405 | 413 | 415 | 500 | 503,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new HttpError(400, 'Bad Request', detail, errors);
export const notFound = (detail: string) => new HttpError(404, 'Not Found', detail);
export const conflict = (detail: string) => new HttpError(409, 'Conflict', detail);
export const forbidden = (detail: string) => new HttpError(403, 'Forbidden', detail);

/** zod issues → field errors with dotted paths. */
export function fieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix = '',
): FieldError[] {
  return issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.') || '(body)',
    message: issue.message,
  }));
}
