import { z } from '@hono/zod-openapi';
import { detail, e164Prefix, id, name, timestamps } from './common';

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const clock = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM (00:00 to 23:59)');

const ianaZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not an IANA time zone' },
);

/**
 * When a route may be used, in its own time zone. `end` before `start` spans
 * midnight (22:00–06:00 belongs to the day it starts on).
 */
export const timeWindow = z.object({
  days: z.array(weekday).min(1).max(7),
  start: clock,
  end: clock,
  tz: ianaZone.default('UTC').openapi({ example: 'Asia/Seoul' }),
});

/** SIP final codes that make the relay try the next target. */
export const failoverCodes = z.array(z.number().int().min(300).max(699)).max(50);

/**
 * A routing rule, with VoIPBIN's fields (`customer_id, name, detail,
 * provider_id, priority, target`) plus Tandem's extensions.
 */
export const routeInput = z
  .object({
    customer_id: id,
    name: name.default('route'),
    detail,
    provider_id: id,
    priority: z.number().int().min(0).max(1_000_000).default(1),
    target: z.union([z.literal('all'), e164Prefix]).openapi({ example: '+82' }),
    enabled: z.boolean().default(true),
    weight: z.number().int().min(1).max(1000).default(100),
    /** Order equal-priority routes by the provider's rate in force for the number (least cost first). */
    lcr: z.boolean().default(false),
    /**
     * Skip the provider when its buy rate in force for the number exceeds the customer's sell rate
     * (its rate plan's line in force, same currency); without a plan, a sell line or one currency
     * the provider is kept (docs/billing.md).
     */
    exclude_negative_margin: z.boolean().default(false),
    time_windows: z.array(timeWindow).max(20).default([]),
    /** Overrides the default failover codes (404, 5xx, 6xx) for attempts of this route. */
    failover_codes: failoverCodes.nullable().default(null),
  })
  .openapi('RouteInput');

export const route = routeInput.extend({ id, ...timestamps }).openapi('Route');
export type TimeWindow = z.infer<typeof timeWindow>;
export type RouteInput = z.infer<typeof routeInput>;
export type Route = z.infer<typeof route>;
