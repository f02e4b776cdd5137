import type { z } from '@hono/zod-openapi';
import { rateLine } from '../billing/rate-line';
import { id } from './common';

/**
 * One listed line of a deck (`GET /v1/rates`): the deck's owner, a provider (what Tandem pays)
 * or a rate plan (what it charges), and the line. The other owner field is null.
 */
export const rate = rateLine
  .extend({ provider_id: id.nullable(), rate_plan_id: id.nullable() })
  .openapi('Rate');
export type Rate = z.infer<typeof rate>;
