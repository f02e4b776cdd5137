import { z } from '@hono/zod-openapi';
import { detail, id, timestamps } from './common';

/**
 * A SIP domain of a customer; its name is unique system-wide. Stored and loaded
 * into the decision's snapshot, but no decision reads it yet: the digest realm
 * is the IPBX credentials' `realm` (docs/design.md, "Not built yet").
 */
export const domainInput = z
  .object({
    customer_id: id,
    name: z
      .string()
      .trim()
      .toLowerCase()
      .regex(
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
        'must be a domain name',
      )
      .openapi({ example: 'pbx.acme.example' }),
    detail,
  })
  .openapi('DomainInput');

export const domain = domainInput.extend({ id, ...timestamps }).openapi('Domain');
export type DomainInput = z.infer<typeof domainInput>;
export type Domain = z.infer<typeof domain>;
