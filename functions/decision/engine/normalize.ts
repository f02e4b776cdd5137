import type { NormalizationProfile } from '../../domain/normalization-profile';

export type Party = 'caller' | 'callee';
type CompiledRule = { party: 'caller' | 'callee' | 'both'; re: RegExp; replace: string };

/** A normalization profile with its regular expressions compiled once. */
export type CompiledProfile = {
  id: string;
  countryCode: string;
  nationalPrefix: string;
  internationalPrefix: string;
  format: NormalizationProfile['egress_format'];
  ingress: CompiledRule[];
  egress: CompiledRule[];
};

const E164 = /^\+[1-9][0-9]{1,14}$/;
const VISUAL_SEPARATORS = /[\s().-]/g;

export function compileProfile(profile: NormalizationProfile): CompiledProfile {
  const rules = (direction: 'ingress' | 'egress') =>
    profile.rules
      .filter((r) => r.direction === direction)
      .map((r) => ({ party: r.party, re: new RegExp(r.match), replace: r.replace }));
  return {
    id: profile.id,
    countryCode: profile.country_code,
    nationalPrefix: profile.national_prefix,
    internationalPrefix: profile.international_prefix,
    format: profile.egress_format,
    ingress: rules('ingress'),
    egress: rules('egress'),
  };
}

export function isE164(value: string): boolean {
  return E164.test(value);
}

function applyRules(value: string, rules: CompiledRule[], party: Party): string {
  let out = value;
  // Rules are a pipeline: every matching rule rewrites the output of the previous one, in order.
  for (const rule of rules) {
    if ((rule.party === 'both' || rule.party === party) && rule.re.test(out)) {
      out = out.replace(rule.re, rule.replace);
    }
  }
  return out;
}

/**
 * Ingress: a number as the source writes it → E.164, or undefined when it is not a number.
 *
 * With a profile: the ingress rules run first (in order), then `+…` stays, the
 * international prefix becomes `+`, the national prefix becomes `+<cc>`; bare
 * digits are E.164 without `+` when the party writes E.164 (`e164`,
 * `e164_without_plus`, or `international` with an empty international prefix)
 * and a national significant number otherwise.
 * Without a profile: `+E164` or digits that are E.164 without the `+`.
 *
 * @example
 * toE164('02-1234-5678', 'callee', korea); // '+82212345678'
 */
export function toE164(raw: string, party: Party, profile?: CompiledProfile): string | undefined {
  let value = raw.replace(VISUAL_SEPARATORS, '');
  if (!profile) return checked(value.startsWith('+') ? value : `+${value}`);
  value = applyRules(value, profile.ingress, party);
  if (value.startsWith('+')) return checked(value);
  if (!/^[0-9]+$/.test(value)) return undefined;
  const { internationalPrefix: intl, nationalPrefix: natl, countryCode: cc, format } = profile;
  const writesE164 =
    format === 'e164' || format === 'e164_without_plus' || (format === 'international' && !intl);
  // E.164 never starts with 0, so for E.164 writers a leading 1-9 is unambiguous.
  if (writesE164 && /^[1-9]/.test(value)) return checked(`+${value}`);
  if (intl && value.startsWith(intl)) return checked(`+${value.slice(intl.length)}`);
  if (natl && value.startsWith(natl)) return checked(`+${cc}${value.slice(natl.length)}`);
  return checked(writesE164 ? `+${value}` : `+${cc}${value}`);
}

function checked(value: string): string | undefined {
  return E164.test(value) ? value : undefined;
}

/**
 * Egress: E.164 → the number as the target writes it (its profile's format, then its egress rules).
 * Without a profile the number stays E.164.
 *
 * @example
 * fromE164('+82212345678', 'callee', korea); // '0212345678' with egress_format 'national'
 */
export function fromE164(e164: string, party: Party, profile?: CompiledProfile): string {
  if (!profile || !e164.startsWith('+')) return e164;
  const digits = e164.slice(1);
  let out: string;
  switch (profile.format) {
    case 'e164':
      out = e164;
      break;
    case 'e164_without_plus':
      out = digits;
      break;
    case 'international':
      out = profile.internationalPrefix ? profile.internationalPrefix + digits : digits;
      break;
    case 'national':
      out = digits.startsWith(profile.countryCode)
        ? profile.nationalPrefix + digits.slice(profile.countryCode.length)
        : profile.internationalPrefix + digits;
      break;
  }
  return applyRules(out, profile.egress, party);
}
