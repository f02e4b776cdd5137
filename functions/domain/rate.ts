import { z } from '@hono/zod-openapi';
import { e164Prefix, id } from './common';

/** One line of a provider's rate deck: price per minute for numbers under `prefix`. */
export const rate = z
  .object({
    provider_id: id,
    prefix: e164Prefix.openapi({ example: '+8210' }),
    rate: z.number().min(0).max(1_000_000),
    effective_date: z.iso.date().nullable().default(null),
  })
  .openapi('Rate');
export type Rate = z.infer<typeof rate>;
