import { z } from '@hono/zod-openapi';
import { e164Prefix, id } from './common';

const isUnique = (list: readonly string[]) => new Set(list).size === list.length;

/** E.164 prefixes (`+1`, `+4420`); the decision probes them longest first, so a long list costs nothing. */
const prefixList = z
  .array(e164Prefix.openapi({ example: '+881' }))
  .max(1000)
  .refine(isUnique, 'must not repeat a prefix');

/**
 * At most 40 providers: each one is a reference (a counter on the provider, so it cannot be deleted
 * while named here) written in the customer's own transaction, and replacing the whole list must
 * stay under DynamoDB's 100 writes a transaction.
 */
export const MAX_ALLOWED_PROVIDERS = 40;

/** What a customer without a policy gets: every field changes nothing (docs/admission.md). */
export function defaultCustomerPolicy(): CustomerPolicy {
  return {
    destinations: { allow_prefixes: [], deny_prefixes: [] },
    allowed_provider_ids: [],
    caller_id: {
      mode: 'any',
      allow_own_dids: true,
      allow_prefixes: [],
      on_violation: 'reject',
      replacement: null,
    },
    max_call_duration_s: null,
  };
}

/**
 * Which callees an outbound call of the customer may reach (E.164 after ingress normalization).
 * A deny match wins over an allow; a non-empty allow list that does not match denies. The default
 * customer's `deny_prefixes` apply to every customer's calls.
 */
export const destinationPolicy = z
  .object({
    /** Empty: every destination is allowed (unless denied). */
    allow_prefixes: prefixList.default(() => []),
    deny_prefixes: prefixList.default(() => []),
  })
  .openapi('DestinationPolicy');

/**
 * Which caller the customer may present. `restricted`: one of its own DIDs (numbers and ranges,
 * when `allow_own_dids`) or a number under `allow_prefixes`; anything else (an extension, a
 * foreign number, `anonymous`) is refused (`reject`) or presented as `replacement` (`replace`).
 */
export const callerIdPolicy = z
  .object({
    mode: z.enum(['any', 'restricted']).default('any'),
    allow_own_dids: z.boolean().default(true),
    allow_prefixes: prefixList.default(() => []),
    on_violation: z.enum(['reject', 'replace']).default('reject'),
    /** The E.164 number presented instead of a caller that breaks the rule (`replace` only). */
    replacement: e164Prefix.nullable().default(null).openapi({ example: '+12125550100' }),
  })
  .superRefine(async (rule, ctx) => {
    if (rule.on_violation === 'replace' && rule.replacement === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['replacement'],
        message: "is required when on_violation is 'replace'",
      });
    }
    if (
      rule.mode === 'restricted' &&
      rule.on_violation === 'reject' &&
      !rule.allow_own_dids &&
      rule.allow_prefixes.length === 0
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['allow_prefixes'],
        message: 'must not be empty when own DIDs are not allowed: every call would be refused',
      });
    }
    if (rule.replacement !== null) {
      // libphonenumber is loaded by the first replacement checked, as for DID numbers (did.ts).
      const { isPossiblePhoneNumber } = await import('./possible-number');
      if (!isPossiblePhoneNumber(rule.replacement)) {
        ctx.addIssue({ code: 'custom', path: ['replacement'], message: 'is not a possible E.164 number' });
      }
    }
  })
  .openapi('CallerIdPolicy');

/**
 * A customer's fraud controls, applied by the decision to the calls it originates (its IPBXs'
 * outbound and on-net calls; docs/admission.md, "Fraud policy"). The defaults change nothing.
 */
export const customerPolicy = z
  .object({
    destinations: destinationPolicy.default(() => defaultCustomerPolicy().destinations),
    /** Providers its calls may go out through (its routes' and the default customer's); empty: any. */
    allowed_provider_ids: z
      .array(id)
      .max(MAX_ALLOWED_PROVIDERS)
      .refine(isUnique, 'must not repeat a provider')
      .default(() => []),
    caller_id: callerIdPolicy.default(() => defaultCustomerPolicy().caller_id),
    /** The relay ends an answered call (BYE both ways) this long after the answer; null: no limit. */
    max_call_duration_s: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .nullable()
      .default(null),
  })
  .openapi('CustomerPolicy');

export type DestinationPolicy = z.infer<typeof destinationPolicy>;
export type CallerIdPolicy = z.infer<typeof callerIdPolicy>;
export type CustomerPolicy = z.infer<typeof customerPolicy>;
