/*
 * What the shipper does with each answer of `POST /v1/cdrs`, and how long it waits before the next
 * try; pure. The shipper (cdr-shipper.ts) performs it.
 */

/** What an answer (or the lack of one) means for the batch. */
export type ShipOutcome =
  /** 2xx: every record is stored; go on. */
  | { kind: 'stored' }
  /** Network error, timeout, 5xx, 429: the batch is sent again after a backoff. */
  | { kind: 'retry'; label: string; error: string; retryAfterMs: number | null }
  /** 400 or 413: resending will not help; the records are set aside. */
  | { kind: 'refused'; label: string; error: string; problem: Problem }
  /** 401 and any other answer: this relay is misconfigured (token, URL); wait long, keep the records. */
  | { kind: 'misconfigured'; label: string; error: string };

/** The parts of the API's problem+json the shipper reads. */
export type Problem = { detail: string; errors: { field: string; message: string }[] };

export type BackoffSettings = { minMs: number; maxMs: number };

/**
 * The outcome of an HTTP answer. `body` is read only for a 400/413 (the problem names the fields).
 *
 * @example
 * classifyAnswer(503, { retryAfter: '2', body: '' }, Date.now()); // { kind: 'retry', retryAfterMs: 2000, … }
 */
export function classifyAnswer(
  status: number,
  answer: { retryAfter: string | null; body: string },
  now: number,
): ShipOutcome {
  const label = String(status);
  if (status >= 200 && status < 300) return { kind: 'stored' };
  if (status === 400 || status === 413) {
    const problem = readProblem(answer.body, status);
    return { kind: 'refused', label, error: `HTTP ${status}: ${problem.detail}`, problem };
  }
  if (status === 429 || status >= 500) {
    return {
      kind: 'retry',
      label,
      error: `HTTP ${status}`,
      retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(answer.retryAfter, now) : null,
    };
  }
  const hint =
    status === 401
      ? ' (the API refused the relay token: check TANDEM_RELAY_TOKEN)'
      : status === 404 || status === 405
        ? ' (check TANDEM_CDR_URL)'
        : '';
  return { kind: 'misconfigured', label, error: `HTTP ${status}${hint}` };
}

/** A request that got no answer: the connection failed, or the per-request timeout aborted it. */
export function failedRequest(error: unknown, timedOut: boolean): ShipOutcome {
  if (timedOut) return { kind: 'retry', label: 'timeout', error: 'request timed out', retryAfterMs: null };
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: 'retry',
    label: 'network',
    error: `network: ${message}${cause ? ` (${cause})` : ''}`,
    retryAfterMs: null,
  };
}

/**
 * `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or
 * unreadable. A date in the past is 0.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Exponential backoff with full jitter: after the n-th failure in a row, a random wait up to
 * `minMs · 2^n` (capped at `maxMs`), never below `minMs`. The jitter spreads the relays of a
 * site, which all failed at the same moment, so they do not come back at the same moment.
 * `random` is a number in [0, 1).
 */
export function backoffDelay(failures: number, settings: BackoffSettings, random: number): number {
  const ceiling = Math.min(settings.maxMs, settings.minMs * 2 ** Math.min(Math.max(failures, 1), 30));
  return Math.max(settings.minMs, Math.floor(random * ceiling));
}

/**
 * How long to wait after a failed try: the backoff; at least the API's `Retry-After`; the maximum
 * for a misconfiguration (a wrong token will not fix itself within seconds, and each try is logged
 * at error).
 */
export function waitAfter(
  outcome: ShipOutcome,
  failures: number,
  settings: BackoffSettings,
  random: number,
): number {
  if (outcome.kind === 'misconfigured') return settings.maxMs;
  const backoff = backoffDelay(failures, settings, random);
  return outcome.kind === 'retry' && outcome.retryAfterMs !== null
    ? Math.max(backoff, outcome.retryAfterMs)
    : backoff;
}

/**
 * Which records of a refused batch the problem names (`cdrs.3.tm_invite` → 3); empty when it
 * names none (a 413, a body that is not JSON at all).
 */
export function refusedIndexes(problem: Problem, batchLength: number): Set<number> {
  const indexes = new Set<number>();
  for (const { field } of problem.errors) {
    const match = /^cdrs\.(\d+)(?:\.|$)/.exec(field);
    const i = match ? Number(match[1]) : -1;
    if (i >= 0 && i < batchLength) indexes.add(i);
  }
  return indexes;
}

const MAX_PROBLEM_TEXT = 2000;

function readProblem(body: string, status: number): Problem {
  try {
    const value = JSON.parse(body) as { detail?: unknown; errors?: unknown };
    const errors = Array.isArray(value.errors)
      ? value.errors
          .filter(
            (e): e is { field: string; message: string } =>
              typeof e?.field === 'string' && typeof e?.message === 'string',
          )
          .map((e) => ({ field: e.field, message: e.message }))
      : [];
    const detail = typeof value.detail === 'string' ? value.detail : `HTTP ${status}`;
    return { detail: detail.slice(0, MAX_PROBLEM_TEXT), errors };
  } catch {
    return { detail: status === 413 ? 'batch too large' : `HTTP ${status}`, errors: [] };
  }
}
