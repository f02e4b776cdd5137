import { z } from '@hono/zod-openapi';

/**
 * Where a call in progress on a relay stands: the decision is asked (`deciding`), targets are
 * tried (`routing`), the caller hears ringing (`ringing`), or it is answered and held (`answered`).
 */
export const liveCallState = z.enum(['deciding', 'routing', 'ringing', 'answered']);

/**
 * One call in progress on a relay, as `GET /calls` of its HTTP endpoint lists it (relay token).
 * Ids are the configuration's, null while the decision has not said (or did not know); numbers
 * are E.164 as the decision normalized them, else the user parts the caller sent.
 */
export const liveCall = z.object({
  call_id: z.string(),
  customer_id: z.string().nullable(),
  ipbx_id: z.string().nullable(),
  /** The provider of the attempt in progress or of the answer; null for an IPBX callee or none yet. */
  provider_id: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  state: liveCallState,
  /** ISO 8601: the caller's INVITE received. */
  started_at: z.string(),
  /** ISO 8601, or null while not answered. */
  answered_at: z.string().nullable(),
});

export const liveCalls = z.object({ calls: z.array(liveCall) });

export type LiveCallState = z.infer<typeof liveCallState>;
export type LiveCall = z.infer<typeof liveCall>;
export type LiveCalls = z.infer<typeof liveCalls>;
