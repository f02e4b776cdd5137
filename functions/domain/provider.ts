import { z } from '@hono/zod-openapi';
import { currency, DEFAULT_CURRENCY } from '../billing/money';
import {
  allowedSource,
  codecPolicy,
  credentialsInput,
  credentialsView,
  detail,
  dtmfMode,
  hostname,
  id,
  limits,
  mediaAnchor,
  name,
  sipPort,
  storedCredentials,
  timestamps,
  transport,
} from './common';
import { HEALTH_CHECK_DEFAULTS, healthCheck, storedHealthCheck } from './health-check';
import { DEFAULT_PEER_TLS, peerTls } from './peer-tls';
import { techHeaders } from './sip-headers';
import { configWarnings } from './source-warnings';

const dialPrefix = z
  .string()
  .regex(/^[0-9*#+]*$/, 'may hold only digits, *, # and +')
  .max(32)
  .default('');

/** When to give up on an attempt: no provisional (100 excluded) / no final answer in time. */
export const attemptTimers = z.object({
  provisional_ms: z.number().int().min(100).max(60_000).default(2_000),
  final_ms: z.number().int().min(1_000).max(600_000).default(60_000),
});

/**
 * A carrier trunk. Fields as VoIPBIN's provider (`type, hostname, tech_prefix,
 * tech_postfix, tech_headers, name, detail`) plus Tandem's extensions.
 * Providers are global (operator-owned); customers may read them to route.
 */
export const providerInput = z
  .object({
    type: z.literal('sip').default('sip'),
    hostname,
    port: sipPort.default(5060),
    transport: transport.default('udp'),
    tech_prefix: dialPrefix,
    tech_postfix: dialPrefix,
    tech_headers: techHeaders,
    name,
    detail,
    enabled: z.boolean().default(true),
    allowed_sources: z.array(allowedSource).max(100).default([]),
    /** Outbound digest credentials for the carrier's challenges; write-only. */
    credentials: credentialsInput.nullable().optional(),
    limits: limits.default({ max_concurrent_calls: null, max_cps: null }),
    media_anchor: mediaAnchor,
    codecs: codecPolicy.default({ allow: [], transcode: [] }),
    dtmf_mode: dtmfMode.default('rfc2833'),
    normalization_profile_id: id.nullable().default(null),
    timers: attemptTimers.default({ provisional_ms: 2_000, final_ms: 60_000 }),
    health_check: healthCheck.default(() => ({
      ...HEALTH_CHECK_DEFAULTS,
      alive_codes: [...HEALTH_CHECK_DEFAULTS.alive_codes],
    })),
    /** TLS checks: its server certificate when we connect to it, its client certificate when it calls (docs/security-tls.md). */
    tls: peerTls.default(() => ({ ...DEFAULT_PEER_TLS, client_cert_sha256: [] })),
    /** The currency of its rate deck (ISO 4217); Tandem never converts. */
    currency: currency.default(DEFAULT_CURRENCY),
  })
  .openapi('ProviderInput');

export const provider = providerInput
  .omit({ credentials: true })
  .extend({ id, credentials: credentialsView, warnings: configWarnings, ...timestamps })
  .openapi('Provider');

/**
 * What the store keeps: the view plus the HA1 hashes (no `tls`, no `currency` (read as DEFAULT_CURRENCY), and
 * fewer `health_check` settings, in objects stored before they existed).
 */
export const storedProvider = provider.omit({ credentials: true, warnings: true }).extend({
  credentials: storedCredentials.nullable(),
  rate_deck_version: z.string().nullable().default(null),
  tls: peerTls.optional(),
  health_check: storedHealthCheck,
  currency: currency.optional(),
});

export {
  aliveCode,
  HEALTH_CHECK_DEFAULTS,
  type HealthCheck,
  healthCheck,
  healthCheckSettings,
  type StoredHealthCheck,
} from './health-check';
export type ProviderInput = z.infer<typeof providerInput>;
export type Provider = z.infer<typeof provider>;
export type StoredProvider = z.infer<typeof storedProvider>;
