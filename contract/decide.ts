import { z } from '@hono/zod-openapi';
import { failoverPattern } from './failover';
import { codecPolicy, dtmfMode, id, storedCredentials, transport } from './peer';

/** A SHA-256 certificate fingerprint as the contract writes it: 64 lowercase hex digits, no colons. */
export const certSha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/**
 * The contract between the edge relay and `POST /v1/routing/decide`: the relay
 * sends what it saw of an initial INVITE, the decision answers with what to do.
 * Both sides import these schemas; nothing else defines the shape.
 */
export const decideRequest = z
  .object({
    call_id: z.string().min(1).max(256),
    source: z.object({
      ip: z.union([z.ipv4(), z.ipv6()]),
      port: z.number().int().min(1).max(65535),
      transport,
      /**
       * TLS only: SHA-256 of the leaf certificate the caller presented on its connection
       * (lowercase hex, no colons); absent when it presented none. The decision checks it against
       * the source's `tls.client_cert_sha256` pins.
       */
      tls_client_cert_sha256: certSha256.optional(),
    }),
    /** The Request-URI as received, e.g. `sip:0212345678@relay.example;user=phone`. */
    request_uri: z.string().min(1).max(2048),
    /** Header values as received (display name, URI and parameters). */
    from: z.string().min(1).max(2048),
    to: z.string().min(1).max(2048),
    p_asserted_identity: z.string().max(2048).optional(),
    /** `Proxy-Authorization` (or `Authorization`) value when the caller answered a challenge. */
    authorization: z.string().max(4096).optional(),
    /** The relay's own id (TANDEM_RELAY_ID); the decision reads nothing from it today. */
    relay_id: z.string().max(128).optional(),
    /** The request method the digest response covers; INVITE when absent. */
    method: z.string().min(1).max(32).optional(),
    /** The `Privacy` header value as received (`id` withholds the caller). */
    privacy: z.string().max(256).optional(),
    /**
     * Providers the relay's site holds down (health checks, docs/admission.md): the decision orders
     * them after every other target (never drops them) and says `provider_down` in their reason.
     */
    down_providers: z.array(id).max(1000).optional(),
  })
  .openapi('DecideRequest');

/**
 * Limits a relay site enforces with leases (docs/admission.md); null = no limit. `max_cps` is
 * calls per second, fractions allowed (0.5 = one call every 2 s).
 */
export const admissionLimits = z
  .object({
    max_concurrent_calls: z.number().int().min(1).nullable(),
    max_cps: z.number().min(0.1).nullable(),
  })
  .openapi('AdmissionLimits');

/** A caller-side limit of a routed call: its IPBX's or its customer's. */
export const callLimit = z
  .object({ scope: z.enum(['ipbx', 'customer']), id, limits: admissionLimits })
  .openapi('CallLimit');

/**
 * How the relay checks the server of a TLS target: `verify` the chain and the host name (the
 * URI's host: a name by SNI and the certificate's DNS names, an IP literal by its IP SANs),
 * trusting `ca` (PEM certificates) instead of the system CAs when present. `verify: false` is the
 * peer's explicit opt-out (`tls.verify_server: false`).
 */
export const targetTls = z.object({
  verify: z.boolean(),
  ca: z.string().max(65_536).optional(),
});

/** What the relay needs to place one attempt. */
export const routeTarget = z
  .object({
    kind: z.enum(['provider', 'ipbx']),
    /** provider_id or ipbx_id. */
    id,
    route_id: id.nullable(),
    /** Request-URI of the attempt: tech_prefix + number + tech_postfix @ host:port;transport. */
    uri: z.string(),
    transport,
    /** Callee and caller as the target writes them (its normalization profile). */
    callee: z.string(),
    caller: z.string(),
    /** Extra headers for this attempt (tech_headers, P-Asserted-Identity, Privacy). */
    headers: z.record(z.string(), z.string()),
    timers: z.object({ provisional_ms: z.number().int(), final_ms: z.number().int() }),
    media_anchor: z.boolean(),
    /** The target's media policy, applied to the offer rtpengine sends it (absent = accept what comes). */
    codecs: codecPolicy.optional(),
    dtmf_mode: dtmfMode.optional(),
    /** Outbound digest credentials for the target's own challenges (HA1 only). */
    credentials: storedCredentials.nullable(),
    /**
     * Final responses on which the relay moves to the next target: codes (`"404"`) or
     * classes (`"5xx"`), read like Kamailio's `t_check_status`. The default list
     * (404, every 5xx, every 6xx) is `["404", "5xx", "6xx"]`, not 201 numbers.
     */
    failover_codes: z.array(failoverPattern),
    /** Present when `transport` is `tls`: how to verify the target's certificate. */
    tls: targetTls.optional(),
    /** A provider target with `limits` set: the relay skips it when the site is at the limit. */
    limits: admissionLimits.optional(),
    /**
     * A provider target with `health_check.enabled`: after this many consecutive attempts that time
     * out or get 503, the site holds it down at once (passive health, docs/admission.md).
     */
    passive_down_after: z.number().int().min(1).optional(),
    /** Why this target is here, machine-readable (e.g. `prefix:+82 priority:1 rate:0.012`). */
    reason: z.string(),
  })
  .openapi('RouteTarget');

export const callContext = z
  .object({
    customer_id: id,
    direction: z.enum(['outbound', 'inbound', 'onnet']),
    source_kind: z.enum(['ipbx', 'provider']),
    source_id: id,
    /** E.164 after ingress normalization; a caller that does not normalize, as received. */
    caller: z.string(),
    callee: z.string(),
    /** The DID (number or range start as configured) that routed an inbound or on-net call. */
    did: z.string().optional(),
  })
  .openapi('CallContext');

/** What the decision knew of a call it refused, for the call's record (docs/cdrs.md). */
export const refusedCall = z
  .object({
    customer_id: id.nullable(),
    direction: z.enum(['outbound', 'inbound', 'onnet']).nullable(),
    source_kind: z.enum(['ipbx', 'provider']),
    source_id: id,
    caller: z.string().optional(),
    callee: z.string().optional(),
    did: z.string().optional(),
  })
  .openapi('RefusedCall');

export const routeDecision = z.object({
  action: z.literal('route'),
  call: callContext,
  targets: z.array(routeTarget).min(1),
  /** The caller side's limits that are set (its IPBX's, its customer's): 503 + Retry-After over any. */
  limits: z.array(callLimit).optional(),
  /** The customer's maximum call duration: the relay ends the call (BYE both ways) this long after its answer. */
  max_duration_s: z.number().int().min(1).optional(),
});

/** A digest algorithm of RFC 7616 that Tandem speaks. */
export const digestAlgorithm = z.enum(['SHA-256', 'MD5']);

export const challengeDecision = z.object({
  action: z.literal('challenge'),
  realm: z.string(),
  nonce: z.string(),
  /** One challenge header per algorithm, strongest first (RFC 7616 §3.7). */
  algorithms: z.array(digestAlgorithm),
  /** True when the IPBX chose the algorithms: the relay offers exactly these, in this order. */
  fixed: z.boolean().optional(),
  stale: z.boolean(),
  opaque: z.string().optional(),
});

export const rejectDecision = z.object({
  action: z.literal('reject'),
  code: z.number().int().min(400).max(699),
  reason: z.string(),
  /** True when a digest answer had a wrong password: the relay counts these per source (rate limiting). */
  auth_failed: z.boolean().optional(),
  /** Absent when the source was not identified. */
  call: refusedCall.optional(),
});

export const decideResponse = z
  .discriminatedUnion('action', [routeDecision, challengeDecision, rejectDecision])
  .openapi('DecideResponse');

export type DecideRequest = z.infer<typeof decideRequest>;
export type AdmissionLimits = z.infer<typeof admissionLimits>;
export type CallLimit = z.infer<typeof callLimit>;
export type RouteTarget = z.infer<typeof routeTarget>;
export type TargetTls = z.infer<typeof targetTls>;
export type CallContext = z.infer<typeof callContext>;
export type RefusedCall = z.infer<typeof refusedCall>;
export type DecideResponse = z.infer<typeof decideResponse>;
