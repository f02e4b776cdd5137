import { z } from '@hono/zod-openapi';
import { withoutHostBits } from './source-range';

export {
  type CodecPolicy,
  codecName,
  codecPolicy,
  type DtmfMode,
  dtmfMode,
  id,
  type StoredCredentials,
  storedCredentials,
  type Transport,
  transport,
} from '../../contract/peer';

/** The customer that holds system-wide routes and global objects (providers, rates). */
export const DEFAULT_CUSTOMER_ID = '00000000-0000-0000-0000-000000000001';

/** Times are ISO 8601 in UTC; `tm_delete` is null while the object exists (deletes are hard). */
export const timestamps = {
  tm_create: z.iso.datetime().openapi({ example: '2026-11-23T10:00:00.000Z' }),
  tm_update: z.iso.datetime().nullable(),
  tm_delete: z.iso.datetime().nullable(),
};

export const name = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
export const detail = z.string().max(2000).default('');

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
  cidr: z
    .union([z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()])
    .superRefine((cidr, ctx) => {
      // 10.0.0.1/8 is a typo for a host or a network: say which network it would be.
      const network = withoutHostBits(cidr);
      if (network) ctx.addIssue({ code: 'custom', message: `has host bits set: did you mean ${network}?` });
    })
    .openapi({ example: '203.0.113.0/24' }),
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

export const limits = z.object({
  max_concurrent_calls: z.number().int().min(1).nullable().default(null),
  max_cps: z.number().min(0.1).nullable().default(null),
});

export const mediaAnchor = z.boolean().default(false);
