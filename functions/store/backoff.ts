/**
 * Exponential backoff with full jitter (a random wait up to `baseMs × 2^attempt`, capped): writers
 * that lost the same race spread out instead of colliding again.
 */

/** The wait before try `attempt` (1 for the first retry), in ms. */
export const jitteredDelay = (attempt: number, baseMs: number, capMs: number) =>
  Math.random() * Math.min(capMs, baseMs * 2 ** attempt);

/**
 * Waits before try `attempt`: by default the credit accounts' short waits (5 ms doubling, capped at
 * 200 ms), for writes that lost a race on one account.
 *
 * @example
 * await backoff(attempt);
 */
export const backoff = (attempt: number, baseMs = 5, capMs = 200) =>
  new Promise<void>((resolve) => setTimeout(resolve, jitteredDelay(attempt, baseMs, capMs)));
