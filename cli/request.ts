import { usageError } from './errors';

export type Query = Record<string, string | number | undefined>;
export type JsonObject = { [key: string]: unknown };

/**
 * The API's base URL as given (`http://host:8080`, with or without a trailing `/` or `/v1`), made
 * the origin every `/v1/…` path is appended to.
 *
 * @example
 * baseUrl('https://api.example/v1/'); // 'https://api.example'
 */
export function baseUrl(raw: string, what = 'the API URL'): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`${what} ${JSON.stringify(raw)} is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`${what} must be http:// or https://, not ${url.protocol}`);
  }
  if (url.username || url.password) throw usageError(`${what} must not hold a user or password`);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.origin}${path}`;
}

/** `path` under `base` with the defined `query` values (a `+` is sent as `%2B`, as the API asks). */
export function apiUrl(base: string, path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const search = params.toString();
  return `${base}${path}${search ? `?${search}` : ''}`;
}

/** A path segment (an id) as the URL carries it. */
export const segment = (value: string) => encodeURIComponent(value);

const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * A `--set` value: JSON when it parses as JSON (`5060`, `true`, `null`, `["a"]`, `{"k":1}`,
 * `"123"` for a string of digits), else the text itself (`Acme`, `+82`, `0011`).
 */
export function setValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The body `--set field=value` flags describe, over `base` (a `--file`'s object): a dotted field
 * (`limits.max_cps=10`) sets a nested field, creating the objects on its way.
 *
 * @example
 * assignFields({}, ['name=Acme', 'limits.max_cps=10']); // { name: 'Acme', limits: { max_cps: 10 } }
 */
export function assignFields(base: JsonObject, assignments: readonly string[]): JsonObject {
  const body: JsonObject = structuredClone(base);
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw usageError(`--set ${assignment}: write field=value (e.g. --set name=Acme)`);
    const path = assignment.slice(0, eq).split('.');
    if (path.some((p) => p === '' || FORBIDDEN_KEYS.has(p))) {
      throw usageError(`--set ${assignment}: ${JSON.stringify(assignment.slice(0, eq))} is not a field name`);
    }
    let target = body;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) target[key] = {};
      target = target[key] as JsonObject;
    }
    target[path[path.length - 1]!] = setValue(assignment.slice(eq + 1));
  }
  return body;
}

/** The JSON object of a `--file` (its name in the message). */
export function parseBodyFile(name: string, text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`${name} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(`${name} must hold one JSON object`);
  }
  return value as JsonObject;
}

/**
 * A filter's option name: its query parameter without `_id`, with dashes
 * (`customer_id` → `customer`, `final_code` → `final-code`).
 */
export function filterOption(queryName: string): string {
  return queryName.replace(/_id$/, '').replaceAll('_', '-');
}

/** The property commander gives an option (`final-code` → `finalCode`). */
export function optionKey(option: string): string {
  return option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The query of `filters` from parsed options. */
export function filterQuery(filters: readonly string[], options: Record<string, unknown>): Query {
  const query: Query = {};
  for (const name of filters) {
    const value = options[optionKey(filterOption(name))];
    if (typeof value === 'string') query[name] = value;
  }
  return query;
}

/** A positive whole number of an option (`--page-size 50`). */
export function positiveInt(option: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
      throw usageError(`${option} must be a whole number ≥ 1, not ${JSON.stringify(text)}`);
    }
    return n;
  };
}
