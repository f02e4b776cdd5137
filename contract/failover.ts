import { z } from '@hono/zod-openapi';

/** A final-response code (`486`) or a whole class (`5xx`) of 3xx–6xx. */
export const failoverPattern = z.string().regex(/^[3-6](?:[0-9]{2}|xx)$/);

export type FailoverPattern = z.infer<typeof failoverPattern>;

/**
 * Whether a final status is in a target's failover list: codes (`"486"`) or
 * classes (`"5xx"`), like Kamailio's `t_check_status`.
 *
 * @example
 * matchesFailover(['404', '5xx', '6xx'], 503); // true
 * matchesFailover(['404', '5xx', '6xx'], 486); // false
 */
export function matchesFailover(patterns: readonly string[], status: number): boolean {
  const code = String(status);
  const cls = `${code[0]}xx`;
  for (const p of patterns) if (p === code || p === cls) return true;
  return false;
}
