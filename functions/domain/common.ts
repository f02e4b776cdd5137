import { z } from '@hono/zod-openapi';

/** The customer that holds system-wide routes and global objects (providers, rates). */
export const DEFAULT_CUSTOMER_ID = '00000000-0000-0000-0000-000000000001';

// z.guid, not z.uuid: the default customer's id is not an RFC 9562 variant UUID.
export const id = z.guid().openapi({ example: '3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10' });

/** Times are ISO 8601 in UTC; `tm_delete` is null while the object exists (deletes are hard). */
export const timestamps = {
  tm_create: z.iso.datetime().openapi({ example: '2026-11-23T10:00:00.000Z' }),
  tm_update: z.iso.datetime().nullable(),
  tm_delete: z.iso.datetime().nullable(),
};

export const name = z.string().trim().min(1).max(255);
export const detail = z.string().max(2000).default('');

export const transport = z.enum(['udp', 'tcp', 'tls']);
export type Transport = z.infer<typeof transport>;

/** A hostname or an IPv4/IPv6 literal (IPv6 without brackets). */
export const hostname = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .refine(
    (h) =>
      z.ipv4().safeParse(h).success ||
      z.ipv6().safeParse(h).success ||
      /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(
        h,
      ),
    {
      message: 'must be a hostname or an IP address',
    },
  )
  .openapi({ example: 'sip.carrier.example' });

export const sipPort = z.number().int().min(1).max(65535);

/** `+` and digits, used for route targets, rate prefixes and DID ranges. */
export const e164Prefix = z.string().regex(/^\+[0-9]{1,15}$/, 'must be + followed by 1 to 15 digits');

/**
 * Who may send us calls as this IPBX or provider. A CIDR (IPv4 or IPv6; a bare
 * address means a single host) and, optionally, the source port.
 */
export const allowedSource = z.object({
  cidr: z.union([z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()]).openapi({ example: '203.0.113.0/24' }),
  port: sipPort.optional(),
});
export type AllowedSource = z.infer<typeof allowedSource>;

/** Write-only digest credentials; only the HA1 hashes are stored. */
export const credentialsInput = z.object({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(256),
  realm: z.string().min(1).max(255),
});
/** What an API read shows of credentials: never the password or its hashes. */
export const credentialsView = z.object({ username: z.string(), realm: z.string() }).nullable();

/** Stored form of digest credentials (RFC 7616: HA1 per algorithm). */
export const storedCredentials = z.object({
  username: z.string(),
  realm: z.string(),
  ha1_md5: z.string().regex(/^[0-9a-f]{32}$/),
  ha1_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type StoredCredentials = z.infer<typeof storedCredentials>;

export const limits = z.object({
  max_concurrent_calls: z.number().int().min(1).nullable().default(null),
  max_cps: z.number().min(0.1).nullable().default(null),
});

export const mediaAnchor = z.boolean().default(false);

/** An RTP codec as named in SDP rtpmap lines (`PCMU`, `PCMA`, `G722`, `opus`, ...). */
export const codecName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be a codec name as written in SDP rtpmap')
  .openapi({ example: 'PCMA' });

/**
 * What media this peer takes when Tandem anchors its calls (rtpengine).
 * `allow`: codecs offered to it (empty = whatever the other side offers);
 * `transcode`: codecs rtpengine adds by transcoding when the other side lacks them.
 */
export const codecPolicy = z.object({
  allow: z.array(codecName).max(32).default([]),
  transcode: z.array(codecName).max(32).default([]),
});
export type CodecPolicy = z.infer<typeof codecPolicy>;

/** How this peer carries DTMF: RFC 2833/4733 telephone-event, in-band audio, or SIP INFO. */
export const dtmfMode = z.enum(['rfc2833', 'inband', 'info']);
export type DtmfMode = z.infer<typeof dtmfMode>;
