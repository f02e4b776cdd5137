import { z } from '@hono/zod-openapi';
import { digestAlgorithm } from '../../contract/decide';
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
import { DEFAULT_PEER_TLS, peerTls } from './peer-tls';
import { configWarnings } from './source-warnings';

/** A Class 5 endpoint of a customer (IP-PBX, SBC). */
export const ipbxInput = z
  .object({
    customer_id: id,
    name,
    detail,
    hostname,
    port: sipPort.default(5060),
    transport: transport.default('udp'),
    enabled: z.boolean().default(true),
    allowed_sources: z.array(allowedSource).max(100).default([]),
    /**
     * The operator lets these sources overlap other customers' IPBXs that are shared too
     * (docs/security.md): every IPBX on the range needs its own digest credentials,
     * which then tell the callers apart. Only the operator key may set it.
     */
    shared_source: z.boolean().default(false).openapi({
      description:
        "Operator only: allowed_sources may overlap other customers' shared IPBXs; each needs its own digest credentials",
    }),
    /** Digest credentials the IPBX must answer our 407 with; write-only. */
    credentials: credentialsInput.nullable().optional(),
    /**
     * The digest algorithms offered to this IPBX, one 407 challenge each, in this order, and the
     * only ones its answer may use; null: the relay's TANDEM_DIGEST_ALGORITHMS (docs/connect-a-pbx.md).
     */
    digest_algorithms: z
      .array(digestAlgorithm)
      .min(1)
      .max(2)
      .refine((list) => new Set(list).size === list.length, 'must not repeat an algorithm')
      .nullable()
      .default(null),
    limits: limits.default({ max_concurrent_calls: null, max_cps: null }),
    media_anchor: mediaAnchor,
    codecs: codecPolicy.default({ allow: [], transcode: [] }),
    dtmf_mode: dtmfMode.default('rfc2833'),
    normalization_profile_id: id.nullable().default(null),
    /** TLS checks: its server certificate when we connect to it, its client certificate when it calls (docs/security.md, "TLS"). */
    tls: peerTls.default(() => ({ ...DEFAULT_PEER_TLS, client_cert_sha256: [] })),
  })
  .openapi('IpbxInput');

export const ipbx = ipbxInput
  .omit({ credentials: true })
  .extend({ id, credentials: credentialsView, warnings: configWarnings, ...timestamps })
  .openapi('Ipbx');

/** What the store keeps: the view plus the HA1 hashes (no `tls` in objects stored before it existed). */
export const storedIpbx = ipbx
  .omit({ credentials: true, warnings: true })
  .extend({ credentials: storedCredentials.nullable(), tls: peerTls.optional() });

export type IpbxInput = z.infer<typeof ipbxInput>;
export type Ipbx = z.infer<typeof ipbx>;
export type StoredIpbx = z.infer<typeof storedIpbx>;
