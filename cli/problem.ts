/** RFC 9457 problem details as the API answers them (functions/http/problem.ts), read leniently. */
export type Problem = {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field?: string; message?: string; line?: number }[];
};

/** Longest part of a non-problem body shown in a message. */
const BODY_EXCERPT = 300;

/** The problem in `text`, or undefined when it is not a JSON object with a title or detail. */
export function parseProblem(text: string): Problem | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.title !== 'string' && typeof v.detail !== 'string') return undefined;
  const errors = Array.isArray(v.errors)
    ? v.errors
        .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
        .map((e) => ({
          ...(typeof e.field === 'string' ? { field: e.field } : {}),
          ...(typeof e.message === 'string' ? { message: e.message } : {}),
          ...(typeof e.line === 'number' ? { line: e.line } : {}),
        }))
    : undefined;
  return {
    ...(typeof v.type === 'string' ? { type: v.type } : {}),
    ...(typeof v.title === 'string' ? { title: v.title } : {}),
    ...(typeof v.status === 'number' ? { status: v.status } : {}),
    ...(typeof v.detail === 'string' ? { detail: v.detail } : {}),
    ...(errors ? { errors } : {}),
  };
}

/**
 * Text from the server as a terminal may show it: control characters (escape sequences a hostile
 * or broken server could send) become `?`, runs of whitespace one space.
 */
export function printable(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\p{Cc}/gu, '?')
    .trim();
}

/**
 * One readable message for a failed answer: the status and title, the detail, then each field
 * error on a line of its own (`line 3, rate: …` for a rate deck).
 *
 * @example
 * describeFailure(400, 'Bad Request', '{"title":"Bad Request","detail":"the request body is invalid","errors":[{"field":"port","message":"Too big"}]}');
 * // '400 Bad Request: the request body is invalid\n  port: Too big'
 */
export function describeFailure(status: number, statusText: string, text: string): string {
  const problem = parseProblem(text);
  if (!problem) {
    const excerpt = (errorField(text) ?? printable(text)).slice(0, BODY_EXCERPT);
    return `${status} ${printable(statusText)}${excerpt ? `: ${excerpt}` : ''}`;
  }
  const title = printable(problem.title ?? statusText);
  const head = `${status} ${title}${problem.detail ? `: ${printable(problem.detail)}` : ''}`;
  const lines = (problem.errors ?? []).map((e) => {
    const where = [e.line !== undefined ? `line ${e.line}` : '', e.field ? printable(e.field) : '']
      .filter(Boolean)
      .join(', ');
    const message = printable(e.message ?? 'is invalid');
    return `  ${where ? `${where}: ` : ''}${message}`;
  });
  return [head, ...lines].join('\n');
}

/** The `error` text of a JSON body such as `{"error": "…"}` (the relay's HTTP endpoint answers so). */
function errorField(text: string): string | undefined {
  try {
    const value = JSON.parse(text) as { error?: unknown };
    return typeof value?.error === 'string' ? printable(value.error) : undefined;
  } catch {
    return undefined;
  }
}
