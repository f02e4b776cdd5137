import { z } from '@hono/zod-openapi';

/** A final code (`"404"`) or class (`"4xx"`) of 2xx–6xx, as the contract's `HealthTarget.alive_codes`. */
export const aliveCode = z
  .string()
  .regex(/^[2-6](?:[0-9]{2}|xx)$/, 'must be a final code (200) or a class (4xx) from 2xx to 6xx')
  .openapi({ example: '4xx' });

/**
 * What a provider without these settings gets, field by field (objects stored before a field
 * existed lack it; readers fill it in with `healthCheckSettings`). A server that answers OPTIONS
 * with any final response but a 5xx is alive: 404, 405, 486 or 603 still prove it is there.
 */
export const HEALTH_CHECK_DEFAULTS = {
  enabled: false,
  interval_s: 30,
  timeout_ms: 2_000,
  down_after: 3,
  up_after: 2,
  alive_codes: ['2xx', '3xx', '4xx', '6xx'],
  passive_down_after: 3,
} as const;

const healthCheckFields = {
  enabled: z.boolean().default(false).openapi({ description: 'Probe the provider with SIP OPTIONS.' }),
  interval_s: z
    .number()
    .int()
    .min(5)
    .max(3600)
    .default(HEALTH_CHECK_DEFAULTS.interval_s)
    .openapi({ description: 'Seconds between two probes.' }),
  timeout_ms: z.number().int().min(100).max(30_000).default(HEALTH_CHECK_DEFAULTS.timeout_ms).openapi({
    description: 'How long a probe waits for a final answer; less than interval_s × 1000.',
  }),
  down_after: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(HEALTH_CHECK_DEFAULTS.down_after)
    .openapi({ description: 'Consecutive failed probes that mark the provider down.' }),
  up_after: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(HEALTH_CHECK_DEFAULTS.up_after)
    .openapi({ description: 'Consecutive alive probes that mark it up again.' }),
  alive_codes: z
    .array(aliveCode)
    .min(1)
    .max(50)
    .default(() => [...HEALTH_CHECK_DEFAULTS.alive_codes])
    .openapi({
      description:
        'Final answers to OPTIONS that count as alive: codes ("200") or classes ("4xx"). Any other answer, and none within timeout_ms, is a failed probe.',
    }),
  passive_down_after: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(HEALTH_CHECK_DEFAULTS.passive_down_after)
    .openapi({
      description:
        'Consecutive attempts of real calls that time out or get 503 and mark the provider down at once (passive health).',
    }),
};

/**
 * SIP OPTIONS probing of the provider by every relay site (docs/api.md, "Provider health").
 * A probe must give up before the next one is due, hence the timeout below the interval.
 */
export const healthCheck = z
  .object(healthCheckFields)
  .refine((h) => h.timeout_ms < h.interval_s * 1000, {
    path: ['timeout_ms'],
    message: 'must be less than interval_s × 1000 (a probe ends before the next one starts)',
    // Only on an object whose two numbers are valid: a bad interval_s is reported alone, under its
    // own name (and OpenAPI generation probes the schema with null). Raw issues may lack a path.
    when: (payload) =>
      !payload.issues.some((i) => {
        const head = (i.path as PropertyKey[] | undefined)?.[0];
        return head === undefined || head === 'interval_s' || head === 'timeout_ms';
      }),
  })
  .openapi('HealthCheck');

/** The stored form: objects stored before a setting existed lack it (defaults apply, healthCheckSettings). */
export const storedHealthCheck = z.object(healthCheckFields).partial().extend({
  enabled: healthCheckFields.enabled,
  interval_s: healthCheckFields.interval_s,
});

export type HealthCheck = z.infer<typeof healthCheck>;
export type StoredHealthCheck = z.infer<typeof storedHealthCheck>;

/**
 * Every setting of a stored `health_check`, the defaults where it predates them.
 *
 * @example
 * healthCheckSettings({ enabled: true, interval_s: 10 }).timeout_ms; // 2000
 */
export function healthCheckSettings(stored: StoredHealthCheck | undefined): HealthCheck {
  return {
    ...HEALTH_CHECK_DEFAULTS,
    alive_codes: [...HEALTH_CHECK_DEFAULTS.alive_codes],
    ...Object.fromEntries(Object.entries(stored ?? {}).filter(([, v]) => v !== undefined)),
  } as HealthCheck;
}
