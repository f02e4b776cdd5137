/** A REST call's init: bearer key, and a body sent as CSV when it is a string, else as JSON. */
export function requestInit(method: string, key: string, body?: unknown): RequestInit {
  return {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined
        ? {}
        : { 'content-type': typeof body === 'string' ? 'text/csv' : 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  };
}
