import { z } from '@hono/zod-openapi';
import { targetTls } from './decide';
import { id, transport } from './peer';

/**
 * One provider a relay site probes with SIP OPTIONS (`GET /v1/routing/health-targets`, relay
 * token): every provider with `health_check.enabled`, with the settings of its `health_check`.
 */
export const healthTarget = z
  .object({
    provider_id: id,
    /** Where the OPTIONS go: `sip:host:port;transport=…` (the provider's address, no user part). */
    uri: z.string(),
    transport,
    tls: targetTls.optional(),
    interval_s: z.number().int(),
    timeout_ms: z.number().int(),
    /** Consecutive failed probes that mark it down. */
    down_after: z.number().int().min(1),
    /** Consecutive alive probes that mark it up again. */
    up_after: z.number().int().min(1),
    /** Final codes (`"200"`) or classes (`"4xx"`) that count as alive; anything else and no answer count as failed. */
    alive_codes: z.array(z.string().regex(/^[2-6](?:[0-9]{2}|xx)$/)),
    /** Consecutive attempts of real calls that time out or get 503 and mark it down at once. */
    passive_down_after: z.number().int().min(1),
  })
  .openapi('HealthTarget');

export const healthTargets = z.object({ providers: z.array(healthTarget) }).openapi('HealthTargets');

/** A probe's result: the final code, or null when none came in `timeout_ms`. */
export const probeResult = z.object({
  at: z.iso.datetime(),
  code: z.number().int().min(100).max(699).nullable(),
  alive: z.boolean(),
});

/** One provider's state as a relay site holds it. */
export const providerSiteState = z
  .object({
    provider_id: id,
    state: z.enum(['up', 'down']),
    /** When it entered this state (the first report of a provider: when probing started). */
    since: z.iso.datetime(),
    /** Why it is down: `probe` (failed probes) or `attempts` (passive health); null when up. */
    down_by: z.enum(['probe', 'attempts']).nullable(),
    last_probe: probeResult.nullable(),
    /** Attempts of real calls over the last `window_s` seconds, counted by every relay of the site. */
    attempts: z.object({
      window_s: z.number().int(),
      total: z.number().int().min(0),
      succeeded: z.number().int().min(0),
    }),
  })
  .openapi('ProviderSiteState');

/** `POST /v1/providers/status` (relay token): what one site's probing relay reports. */
export const providerStatusReport = z
  .object({
    site: z.string().min(1).max(64),
    relay_id: z.string().min(1).max(128),
    reported_at: z.iso.datetime(),
    providers: z.array(providerSiteState).max(1000),
  })
  .openapi('ProviderStatusReport');

/** `GET /v1/providers/{id}/status`: the provider as each site last reported it. */
export const providerStatus = z
  .object({
    provider_id: id,
    sites: z.array(
      providerSiteState.omit({ provider_id: true }).extend({
        site: z.string(),
        relay_id: z.string(),
        reported_at: z.iso.datetime(),
        /** True when the site last reported more than 60 s ago (relays report every 10 s): the state may be old. */
        stale: z.boolean(),
      }),
    ),
  })
  .openapi('ProviderStatus');

export type HealthTarget = z.infer<typeof healthTarget>;
export type ProbeResult = z.infer<typeof probeResult>;
export type ProviderSiteState = z.infer<typeof providerSiteState>;
export type ProviderStatusReport = z.infer<typeof providerStatusReport>;
export type ProviderStatus = z.infer<typeof providerStatus>;
export type HealthTargets = z.infer<typeof healthTargets>;
