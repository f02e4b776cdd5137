import { z } from '@hono/zod-openapi';
import { id } from '../../domain/common';

/**
 * VoIPBIN's route and provider shapes (its OpenAPI `RouteManagerRoute`, `RouteManagerProvider` and
 * request bodies; docs/voipbin-compat.md). Only types are checked here: the values are validated
 * by Tandem's own schemas after the mapping (mapping.ts), under the same field names, so a 400
 * names the field the VoIPBIN client sent.
 */

/** VoIPBIN's times: ISO 8601 UTC with microseconds; `9999-01-01T00:00:00.000000Z` for "not yet". */
const time = z.string().openapi({ example: '2026-01-15T09:30:00.000000Z' });

export const voipbinRoute = z
  .object({
    id,
    customer_id: id,
    name: z.string(),
    detail: z.string(),
    provider_id: id,
    priority: z.number().int(),
    target: z.string().openapi({ example: '+82' }),
    tm_create: time,
    tm_update: time,
    tm_delete: time,
  })
  .openapi('VoipbinRoute');

/**
 * `POST /v1.0/routes`. Absent: `customer_id` is the key's own customer (the operator must name
 * one), `name` and `detail` are empty, `priority` 1, `target` `all`.
 */
export const voipbinRouteCreate = z
  .object({
    customer_id: id.optional(),
    name: z.string().default(''),
    detail: z.string().default(''),
    provider_id: id,
    priority: z.number().int().default(1),
    target: z.string().default('all').openapi({ example: '+82' }),
  })
  .openapi('VoipbinRouteCreate');

/**
 * `PUT /v1.0/routes/{id}`: replaces VoIPBIN's fields (absent ones take the create defaults);
 * Tandem's own fields (weight, time windows, lcr, …) are kept. `customer_id` moves the route.
 */
export const voipbinRouteUpdate = voipbinRouteCreate.openapi('VoipbinRouteUpdate');

export const voipbinHealthStatus = z.enum(['unknown', 'healthy', 'unhealthy']);

export const voipbinProvider = z
  .object({
    id,
    type: z.literal('sip'),
    hostname: z.string(),
    tech_prefix: z.string(),
    tech_postfix: z.string(),
    tech_headers: z.record(z.string(), z.string()),
    /** Carrier-side ids of VoIPBIN's automated setup, which Tandem does not have: always `{}`. */
    metadata: z.record(z.string(), z.string()),
    codecs: z.string().openapi({ example: 'PCMU,PCMA' }),
    health_status: voipbinHealthStatus,
    health_checked_at: time.nullable(),
    name: z.string(),
    detail: z.string(),
    tm_create: time,
    tm_update: time,
    tm_delete: time,
  })
  .openapi('VoipbinProvider');

/**
 * `POST /v1.0/providers` and `PUT /v1.0/providers/{id}` (operator only). Absent fields take these
 * defaults (a PUT without `codecs` removes the restriction, as VoIPBIN documents); Tandem's own
 * fields (port, transport, credentials, sources, limits, …) are kept by a PUT.
 */
export const voipbinProviderWrite = z
  .object({
    type: z.literal('sip').default('sip'),
    hostname: z.string(),
    tech_prefix: z.string().default(''),
    tech_postfix: z.string().default(''),
    tech_headers: z.record(z.string(), z.string()).default({}),
    name: z.string(),
    detail: z.string().default(''),
    codecs: z.string().default('').openapi({ example: 'PCMU,PCMA' }),
  })
  .openapi('VoipbinProviderWrite');

export const voipbinList = (item: z.ZodType, name: string) =>
  z
    .object({
      result: z.array(item),
      next_page_token: z.string().openapi({
        description: 'Pass as `page_token` for the next page; empty once a page came back empty',
      }),
    })
    .openapi(name);

export type VoipbinRoute = z.infer<typeof voipbinRoute>;
export type VoipbinRouteCreate = z.infer<typeof voipbinRouteCreate>;
export type VoipbinProvider = z.infer<typeof voipbinProvider>;
export type VoipbinProviderWrite = z.infer<typeof voipbinProviderWrite>;
export type VoipbinHealthStatus = z.infer<typeof voipbinHealthStatus>;
