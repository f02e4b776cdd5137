/** The JSON API as the console calls it: same origin, `Authorization: Bearer <key>` from sessionStorage. */

const KEY = 'tandem.apiKey';

export const storedKey = (): string | null => sessionStorage.getItem(KEY);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY);

/** RFC 9457 problem details as functions/http/problem.ts writes them. */
export type Problem = {
  status: number;
  title: string;
  detail: string;
  errors?: { field: string; message: string; line?: number }[];
};

export type Answer<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; problem: Problem };

/**
 * One API call with the stored key; a non-2xx answer comes back as its problem (never thrown),
 * so every screen can show the API's own words.
 */
export function call<T>(method: string, path: string, body?: unknown, key = storedKey()): Promise<Answer<T>> {
  return send<T>(
    method,
    path,
    body === undefined ? undefined : { type: 'application/json', text: JSON.stringify(body) },
    key,
  );
}

/** A CSV upload (a rate deck import), with the stored key. */
export function callCsv<T>(path: string, csv: string): Promise<Answer<T>> {
  return send<T>('POST', path, { type: 'text/csv', text: csv }, storedKey());
}

async function send<T>(
  method: string,
  path: string,
  body: { type: string; text: string } | undefined,
  key: string | null,
): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers['authorization'] = `Bearer ${key}`;
  if (body) headers['content-type'] = body.type;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, ...(body ? { body: body.text } : {}) });
  } catch {
    return {
      ok: false,
      status: 0,
      problem: { status: 0, title: 'Network error', detail: 'the API does not answer' },
    };
  }
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (response.ok) return { ok: true, status: response.status, body: parsed as T };
  const problem =
    parsed && typeof parsed === 'object' && 'detail' in parsed
      ? (parsed as Problem)
      : { status: response.status, title: response.statusText, detail: text || response.statusText };
  return { ok: false, status: response.status, problem };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A query string of the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export type Page<T> = { result: T[]; next_page_token: string };
export type Who = { kind: 'operator' | 'customer'; customer_id: string | null };
