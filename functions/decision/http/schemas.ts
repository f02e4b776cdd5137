import { z } from '@hono/zod-openapi';
import { callContext, callLimit, routeTarget } from '../../../contract/decide';
import { id, transport } from '../../domain/common';
import { skippedCandidate } from '../explain';

const friendly = {
  /**
   * Source form: as the source writes them (its normalization profile applies).
   * Customer form: E.164, or digits read as E.164 without `+`.
   */
  caller: z.string().min(1).max(64).openapi({ example: '+12125550100' }),
  callee: z.string().min(1).max(64).openapi({ example: '+821012345678' }),
  /** When the call happens (time windows); now when absent. */
  at: z.iso.datetime({ offset: true }).optional(),
  /** Seed of the weighted random draw, for reproducible answers. */
  seed: z.number().int().optional(),
  /**
   * Providers to take as held down, as a relay sends them in `down_providers`: ordered after every
   * other target, their reason ending in `provider_down`.
   */
  down_providers: z.array(id).max(1000).optional(),
};

/** `POST /v1/routing/simulate`: a customer's call, or a call from a source address. */
export const simulateRequest = z
  .union([
    z.object({ customer_id: id, ...friendly }).strict(),
    z
      .object({
        source: z.object({
          ip: z.union([z.ipv4(), z.ipv6()]),
          port: z.number().int().min(1).max(65535).default(5060),
          transport: transport.default('udp'),
        }),
        ...friendly,
      })
      .strict(),
  ])
  .openapi('SimulateRequest');

export const simulatedTarget = routeTarget
  .omit({ kind: true, id: true, credentials: true, tls: true })
  .extend({
    provider_id: id.optional(),
    ipbx_id: id.optional(),
    has_credentials: z.boolean(),
    /** TLS targets: whether the relay verifies the certificate, and against the peer's own CAs. */
    tls: z.object({ verify: z.boolean(), own_ca: z.boolean() }).optional(),
  })
  .openapi('SimulatedTarget');

export const simulateResponse = z
  .object({
    action: z.enum(['route', 'challenge', 'reject']),
    /** A refusal's SIP code and reason (e.g. 403 `destination denied: +881`); `digest_required` for a challenge. */
    code: z.number().int().optional(),
    reason: z.string().optional(),
    /** Routed: the call as placed (a caller the policy replaced is the replacement here). */
    call: callContext.optional(),
    targets: z.array(simulatedTarget),
    skipped: z.array(skippedCandidate),
    /** The caller-side limits the relay would enforce (the IPBX's, the customer's), when any is set. */
    limits: z.array(callLimit).optional(),
    /** The customer's `policy.max_call_duration_s`, when set. */
    max_duration_s: z.number().int().optional(),
    /** The customer's caller-ID policy replaced the caller (`on_violation: replace`). */
    caller_replaced: z.object({ original: z.string(), replacement: z.string() }).optional(),
  })
  .openapi('SimulateResponse');

export type SimulateRequest = z.infer<typeof simulateRequest>;
export type SimulateResponse = z.infer<typeof simulateResponse>;
