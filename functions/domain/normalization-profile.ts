import { z } from '@hono/zod-openapi';
import { RE2JS } from 're2js';
import { detail, id, name, timestamps } from './common';

const digits = (max: number) =>
  z
    .string()
    .regex(/^[0-9]*$/, 'may hold only digits')
    .max(max);

/** Longest `match` pattern; RE2 matching time is linear in pattern size × input size. */
export const MAX_PATTERN_LENGTH = 256;
/** Most rules one profile may hold (each call runs them for caller and callee). */
export const MAX_RULES = 50;

/** Why RE2 refuses a pattern (undefined: it compiles). */
export function re2Refusal(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^error parsing regexp: /, '');
  }
}

/**
 * A tenant-supplied pattern: RE2 syntax (linear-time matching, no backtracking),
 * so backreferences and lookaround are refused; `(?P<name>…)` groups work.
 */
const regex = z
  .string()
  .min(1)
  .max(MAX_PATTERN_LENGTH)
  .superRefine((source, ctx) => {
    if (source.length > MAX_PATTERN_LENGTH) return; // too long: refused above, not worth compiling
    const refusal = re2Refusal(source);
    if (refusal !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid RE2 pattern (${refusal}); backreferences and lookaround are not supported`,
      });
    }
  });

/**
 * One rewrite step, applied in order before (ingress) or after (egress) the
 * built-in E.164 conversion. `match` is an RE2 pattern (docs/security.md);
 * `replace` may use `$1`-style groups, `$&` and `$<name>`, as JavaScript's `String.replace`.
 */
export const normalizationRule = z.object({
  direction: z.enum(['ingress', 'egress']),
  party: z.enum(['caller', 'callee', 'both']).default('both'),
  match: regex.openapi({ example: '^9(\\d+)$' }),
  replace: z.string().max(512).openapi({ example: '$1' }),
});

/**
 * How a party writes numbers. Ingress: national (`0…`) and international
 * (`00…`) forms become E.164. Egress: E.164 becomes `egress_format`.
 */
export const normalizationProfileInput = z
  .object({
    customer_id: id,
    name,
    detail,
    country_code: z
      .string()
      .regex(/^[1-9][0-9]{0,2}$/, 'must be 1 to 3 digits')
      .openapi({ example: '82' }),
    national_prefix: digits(4).default('0'),
    international_prefix: digits(6).default('00'),
    egress_format: z.enum(['e164', 'e164_without_plus', 'national', 'international']).default('e164'),
    rules: z.array(normalizationRule).max(MAX_RULES).default([]),
  })
  .openapi('NormalizationProfileInput');

export const normalizationProfile = normalizationProfileInput
  .extend({ id, ...timestamps })
  .openapi('NormalizationProfile');

export type NormalizationRule = z.infer<typeof normalizationRule>;
export type NormalizationProfileInput = z.infer<typeof normalizationProfileInput>;
export type NormalizationProfile = z.infer<typeof normalizationProfile>;
