import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { dialogFlow } from './dialog/dialog';

/** One try of one target, as reported to metrics and the flood guard. */
export const attemptOutcome = z.object({
  call_id: z.string(),
  target_kind: z.enum(['provider', 'ipbx']),
  target_id: z.string(),
  route_id: z.string().nullable(),
  /** The Request-URI the attempt's INVITE went to. */
  uri: z.string(),
  /** Final code; 408 when the relay gave up on a timer, 487 when the caller cancelled. */
  code: z.number().int(),
  cause: z.enum(['response', 'no-provisional', 'no-final', 'cancelled']),
  /**
   * This attempt's own post-dial delay: its INVITE sent → its first provisional other than 100;
   * null if none came. What the caller waited is the call's (`CallOutcome.ringing_at`).
   */
  pdd_ms: z.number().nullable(),
  started_at: z.number(),
  ended_at: z.number(),
});

/** The end of an INVITE transaction: what the caller got and every attempt. */
export const callOutcome = z.object({
  call_id: z.string(),
  /** Where the INVITE came from (fraud analysis, flood protection). */
  source: dialogFlow,
  status: z.number().int(),
  received_at: z.number(),
  /** When the first provisional other than 100 (180, 183) left for the caller; null if none did. */
  ringing_at: z.number().nullable(),
  answered_at: z.number().nullable(),
  /** When the final answer left for the caller. */
  ended_at: z.number(),
  attempts: z.array(attemptOutcome),
  /**
   * Set when the relay refused the INVITE before any attempt: why, machine-readable (the
   * decision's reason such as `unknown_source`, `no_route`, `auth_failed`; `decision_unreachable`,
   * `overload`, `draining`, `too_many_hops`, `loop_detected`). A 407 challenge is no refusal.
   */
  refused: z.string().optional(),
});

/** A dialog ended: by a BYE (answered 2xx, or 408/481: the far end is gone) or by the relay (expiry). */
export const callEnded = z.object({
  call_id: z.string(),
  ended_at: z.number(),
  by: z.enum(['caller', 'callee', 'relay']),
});

export type AttemptOutcome = z.infer<typeof attemptOutcome>;
export type CallOutcome = z.infer<typeof callOutcome>;
export type CallEnded = z.infer<typeof callEnded>;

export type RelayEventMap = {
  attempt: [AttemptOutcome];
  call: [CallOutcome];
  'call-end': [CallEnded];
  /** An answered call must end at this time (epoch ms): its maximum duration. */
  'call-deadline': [number];
};
export type RelayEvents = EventEmitter<RelayEventMap>;

export function createRelayEvents(): RelayEvents {
  return new EventEmitter<RelayEventMap>();
}
