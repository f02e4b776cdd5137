import { ApiError, CliError, usageError } from './errors';
import { EXIT } from './exit-codes';
import { describeFailure, parseProblem } from './problem';
import { apiUrl, type Query } from './request';

export const USER_AGENT = 'tandem-cli/0.1.0';

/**
 * The Authorization value of `secret`. A secret with a character a header cannot carry (a pasted
 * newline, a non-ASCII letter) is refused here: `fetch` would quote the whole value in its error.
 */
export function bearer(secret: string, name: string): string {
  if (!/^[\x20-\x7e]+$/.test(secret)) {
    throw usageError(`${name} holds a character an HTTP header cannot carry (a newline?); it is not shown`);
  }
  return `Bearer ${secret}`;
}

export type ApiClient = {
  /** The API origin requests go to. */
  readonly base: string;
  /** A JSON request; the parsed answer, or an ApiError for a 4xx/5xx. */
  json<T = unknown>(
    method: string,
    path: string,
    options?: { query?: Query; body?: unknown; headers?: Record<string, string> },
  ): Promise<T>;
  /** A GET whose successful answer is read by the caller (a CSV export); failures throw as json() does. */
  stream(path: string, query?: Query): Promise<Response>;
};

/**
 * `fetch` with the failures a user can act on turned into one line each: the server not
 * reachable (with the system's reason), no answer in time. `what` names the server.
 */
export async function send(
  url: string,
  init: RequestInit,
  what: string,
  timeoutMs?: number,
): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') {
      throw new CliError(`no answer from ${what} within ${timeoutMs! / 1000} s`, EXIT.unavailable);
    }
    const reason = e.cause?.code ?? e.cause?.message ?? e.message;
    throw new CliError(`cannot reach ${what}: ${reason}`, EXIT.unavailable);
  }
}

/** An ApiError of a failed answer, its problem+json made readable. */
export function failureOf(status: number, statusText: string, text: string): ApiError {
  return new ApiError(describeFailure(status, statusText, text), status, parseProblem(text), text);
}

export async function failure(response: Response): Promise<ApiError> {
  return failureOf(response.status, response.statusText, await response.text());
}

/** The answer's JSON (undefined for an empty body), or the failure thrown. */
export async function answerJson<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw await failure(response);
  const text = await response.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CliError(`${what} answered ${response.status} with a body that is not JSON`, EXIT.unavailable);
  }
}

/**
 * The API as the CLI calls it: bearer key, JSON in and out, a timeout per request.
 *
 * @example
 * const api = createApiClient({ base: 'http://127.0.0.1:8080', key, timeoutMs: 30_000 });
 * await api.json('GET', '/v1/customers');
 */
export function createApiClient(options: { base: string; key: string; timeoutMs: number }): ApiClient {
  const what = `the API at ${options.base}`;
  const headers = { authorization: bearer(options.key, 'the API key'), 'user-agent': USER_AGENT };
  return {
    base: options.base,
    async json<T>(
      method: string,
      path: string,
      request: { query?: Query; body?: unknown; headers?: Record<string, string> } = {},
    ) {
      const init: RequestInit = {
        method,
        headers: {
          ...headers,
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      };
      const response = await send(apiUrl(options.base, path, request.query), init, what, options.timeoutMs);
      return answerJson<T>(response, what);
    },
    async stream(path: string, query?: Query) {
      // No timeout: a long export keeps streaming; the connection's own errors still end it.
      const response = await send(apiUrl(options.base, path, query), { headers }, what);
      if (!response.ok) throw await failure(response);
      return response;
    },
  };
}
