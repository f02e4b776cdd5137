import { z } from '@hono/zod-openapi';
import { detail, id, name, timestamps } from './common';

const digits = (max: number) =>
  z
    .string()
    .regex(/^[0-9]*$/, 'may hold only digits')
    .max(max);

const regex = z
  .string()
  .min(1)
  .max(512)
  .refine(
    (source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a valid regular expression' },
  );

/**
 * One rewrite step, applied in order before (ingress) or after (egress) the
 * built-in E.164 conversion. `replace` may use `$1`-style groups.
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
    rules: z.array(normalizationRule).max(100).default([]),
  })
  .openapi('NormalizationProfileInput');

export const normalizationProfile = normalizationProfileInput
  .extend({ id, ...timestamps })
  .openapi('NormalizationProfile');

export type NormalizationRule = z.infer<typeof normalizationRule>;
export type NormalizationProfileInput = z.infer<typeof normalizationProfileInput>;
export type NormalizationProfile = z.infer<typeof normalizationProfile>;
