/**
 * The exit codes of `tandem`, stable for scripts (docs/operations.md, "Exit codes").
 * One per thing a script would branch on; every other refusal of the API is `refused`.
 */
export const EXIT = {
  ok: 0,
  /** The API refused the request (400, 405, 413, 415, another 4xx), or an import had bad lines. */
  refused: 1,
  /** Wrong arguments or options, an unreadable file, no API key configured. */
  usage: 2,
  /** 404: no such object (or another customer's), or no such route. */
  notFound: 3,
  /** 401 or 403: the key is missing, unknown or not allowed to do this. */
  denied: 4,
  /** 409: in use, still referenced, or changed concurrently. */
  conflict: 5,
  /** The API (or relay) cannot be reached, timed out, or answered 5xx: worth a retry. */
  unavailable: 6,
  /** A fault of the CLI itself (its stack trace is printed): a bug to report, not the API's answer. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The exit code of an HTTP answer's status.
 *
 * @example
 * exitCodeOf(409); // 5
 */
export function exitCodeOf(status: number): ExitCode {
  if (status < 400) return EXIT.ok;
  if (status === 404) return EXIT.notFound;
  if (status === 401 || status === 403) return EXIT.denied;
  if (status === 409) return EXIT.conflict;
  if (status >= 500) return EXIT.unavailable;
  return EXIT.refused;
}
