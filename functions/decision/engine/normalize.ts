import { RE2JS } from 're2js';
import type { NormalizationProfile } from '../../domain/normalization-profile';

export type Party = 'caller' | 'callee';
/** `re` undefined: a pattern RE2 refuses (stored before patterns were checked with RE2); it never matches. */
type CompiledRule = { party: 'caller' | 'callee' | 'both'; re: RE2JS | undefined; replace: string };

/** A normalization profile with its regular expressions compiled once. */
export type CompiledProfile = {
  id: string;
  countryCode: string;
  nationalPrefix: string;
  internationalPrefix: string;
  format: NormalizationProfile['egress_format'];
  ingress: CompiledRule[];
  egress: CompiledRule[];
  /** Indexes in `rules` of the patterns RE2 refused: skipped. */
  unsupported: number[];
};

const E164 = /^\+[1-9][0-9]{1,14}$/;
const VISUAL_SEPARATORS = /[\s().-]/g;

/**
 * Longest value rules read or write: far above any number, low enough that a
 * profile's rules stay cheap per call (a replacement such as `$&$&` can no
 * longer double a number rule after rule).
 */
export const MAX_RULE_VALUE_LENGTH = 256;

/** A tenant's pattern, compiled by RE2 (linear time, no backtracking); undefined when RE2 refuses it. */
export function compilePattern(source: string): RE2JS | undefined {
  try {
    return RE2JS.compile(source);
  } catch {
    return undefined;
  }
}

/**
 * Patterns run on RE2 (re2js), never on the backtracking RegExp: one
 * tenant's rules cannot stall the decisions of others (docs/security.md).
 */
export function compileProfile(profile: NormalizationProfile): CompiledProfile {
  const unsupported: number[] = [];
  const compiled = profile.rules.map((r, i) => {
    const re = compilePattern(r.match);
    if (!re) unsupported.push(i);
    return { direction: r.direction, rule: { party: r.party, re, replace: r.replace } };
  });
  const rules = (direction: 'ingress' | 'egress') =>
    compiled.filter((c) => c.direction === direction).map((c) => c.rule);
  return {
    id: profile.id,
    countryCode: profile.country_code,
    nationalPrefix: profile.national_prefix,
    internationalPrefix: profile.international_prefix,
    format: profile.egress_format,
    ingress: rules('ingress'),
    egress: rules('egress'),
    unsupported,
  };
}

export function isE164(value: string): boolean {
  return E164.test(value);
}

/**
 * Rules are a pipeline: every matching rule rewrites the output of the previous one, in order.
 * The first match is replaced, with `String.replace`'s `$1`, `$&`, `$<name>`, `$$`.
 * A value longer than MAX_RULE_VALUE_LENGTH is not rewritten, nor made.
 */
function applyRules(value: string, rules: CompiledRule[], party: Party): string {
  if (value.length > MAX_RULE_VALUE_LENGTH) return value;
  let out = value;
  for (const rule of rules) {
    if (!rule.re || (rule.party !== 'both' && rule.party !== party)) continue;
    const next = rule.re.matcher(out).replaceFirst(rule.replace);
    if (next.length <= MAX_RULE_VALUE_LENGTH) out = next;
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
