import { z } from '@hono/zod-openapi';
import { detail, e164Prefix, id, timestamps } from './common';

/**
 * A customer's number. `range: false` is one E.164 number (checked with
 * libphonenumber's length rules for its country); `range: true` makes `number`
 * a prefix that covers a block of numbers (longest prefix wins).
 */
export const didInput = z
  .object({
    customer_id: id,
    number: e164Prefix.openapi({ example: '+14155550100' }),
    range: z.boolean().default(false),
    ipbx_id: id,
    name: z.string().max(255).default(''),
    detail,
  })
  // libphonenumber (120 KiB of code and metadata) is imported on the first check, not at
  // every cold start of the API; only DID writes need it.
  .superRefine(async (did, ctx) => {
    if (did.range) return;
    const { isPossiblePhoneNumber } = await import('./possible-number');
    if (!isPossiblePhoneNumber(did.number)) {
      ctx.addIssue({ code: 'custom', path: ['number'], message: 'is not a possible E.164 number' });
    }
  })
  .openapi('DidInput');

export const did = didInput.safeExtend({ id, ...timestamps }).openapi('Did');
export type DidInput = z.infer<typeof didInput>;
export type Did = z.infer<typeof did>;
