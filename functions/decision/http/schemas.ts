import { z } from '@hono/zod-openapi';
import { callContext, routeTarget } from '../../../contract/decide';
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
    code: z.number().int().optional(),
    reason: z.string().optional(),
    call: callContext.optional(),
    targets: z.array(simulatedTarget),
    skipped: z.array(skippedCandidate),
  })
  .openapi('SimulateResponse');

export type SimulateRequest = z.infer<typeof simulateRequest>;
export type SimulateResponse = z.infer<typeof simulateResponse>;
