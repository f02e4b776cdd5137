import { z } from '@hono/zod-openapi';
import { id } from '../domain/common';

/** Why a candidate route is not among the targets (machine-readable `reason`). */
export const skipReason = z.enum([
  'route_disabled',
  'provider_missing',
  'provider_disabled',
  'outside_time_window',
  /** The customer's policy names other providers (`policy.allowed_provider_ids`). */
  'provider_not_allowed',
  'duplicate_provider',
  'attempt_cap',
  /** `exclude_negative_margin`: the provider's buy rate in force exceeds the customer's sell rate. */
  'negative_margin',
]);

export const skippedCandidate = z
  .object({ route_id: id, provider_id: id, reason: skipReason })
  .openapi('SkippedCandidate');

export type SkipReason = z.infer<typeof skipReason>;
export type SkippedCandidate = z.infer<typeof skippedCandidate>;
