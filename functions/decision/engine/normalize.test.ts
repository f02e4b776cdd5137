import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileProfile, fromE164, toE164 } from './normalize';
import { baseProfile } from './test-fixtures';

const korea = compileProfile(baseProfile);
const us = compileProfile({
  ...baseProfile,
  country_code: '1',
  national_prefix: '1',
  international_prefix: '011',
  egress_format: 'e164_without_plus',
});
const withRules = compileProfile({
  ...baseProfile,
  rules: [
    { direction: 'ingress', party: 'callee', match: '^9(\\d+)$', replace: '$1' },
    { direction: 'egress', party: 'caller', match: '^0', replace: '+82-' },
  ],
});

describe('toE164 (ingress)', () => {
  it.each([
    ['national with separators', '02-1234-5678', 'callee', korea, '+82212345678'],
    ['international prefix', '0014155550100', 'callee', korea, '+14155550100'],
    ['already E.164', '+82212345678', 'callee', korea, '+82212345678'],
    ['bare national significant number', '212345678', 'callee', korea, '+82212345678'],
    ['NANP e164 without plus', '12125550100', 'callee', us, '+12125550100'],
    ['NANP international prefix', '01144201234567', 'callee', us, '+44201234567'],
    ['rule strips outside line 9 before conversion', '9021234567', 'callee', withRules, '+8221234567'],
    ['rule is for callee only', '9021234567', 'caller', withRules, '+829021234567'],
    ['no profile: + kept', '+442012345678', 'callee', undefined, '+442012345678'],
    ['no profile: digits are E.164 without +', '442012345678', 'callee', undefined, '+442012345678'],
    ['no profile: 0 is not a country code', '0442012345678', 'callee', undefined, undefined],
    ['letters are not a number', 'alice', 'callee', korea, undefined],
    ['too long', '+1234567890123456', 'callee', undefined, undefined],
    ['empty', '', 'callee', korea, undefined],
  ] as const)('%s', (_name, raw, party, profile, expected) => {
    expect(toE164(raw, party, profile)).toBe(expected);
  });
});

describe('fromE164 (egress)', () => {
  it.each([
    ['national in country', '+82212345678', korea, '0212345678'],
    ['national abroad uses international prefix', '+14155550100', korea, '0014155550100'],
    ['e164 without plus', '+12125550100', us, '12125550100'],
    [
      'international',
      '+12125550100',
      compileProfile({ ...baseProfile, egress_format: 'international' }),
      '0012125550100',
    ],
    ['e164', '+12125550100', compileProfile({ ...baseProfile, egress_format: 'e164' }), '+12125550100'],
    ['no profile', '+12125550100', undefined, '+12125550100'],
  ] as const)('%s', (_name, e164, profile, expected) => {
    expect(fromE164(e164, 'callee', profile)).toBe(expected);
  });

  it('applies egress rules after formatting, per party', () => {
    expect(fromE164('+82212345678', 'caller', withRules)).toBe('+82-212345678');
    expect(fromE164('+82212345678', 'callee', withRules)).toBe('0212345678');
  });
});

describe('round trip ingress ∘ egress (property)', () => {
  // Realistic, unambiguous (national, international) prefix pairs.
  const prefixes = fc.constantFrom(['0', '00'], ['1', '011'], ['', '00'], ['0', '001'], ['', '011']);
  const profile = fc.record({
    cc: fc.stringMatching(/^[1-9][0-9]{0,2}$/),
    prefixes,
    format: fc.constantFrom('e164', 'e164_without_plus', 'national', 'international'),
  });
  // A number under the profile's country (national significant number starts 1-9) or any E.164.
  const number = (cc: string) =>
    fc.oneof(
      fc.stringMatching(/^[1-9][0-9]{3,9}$/).map((nsn) => `+${cc}${nsn}`),
      fc.stringMatching(/^[1-9][0-9]{4,13}$/).map((d) => `+${d}`),
    );

  it('toE164(fromE164(n)) === n for every format', () => {
    fc.assert(
      fc.property(
        profile.chain((p) => fc.tuple(fc.constant(p), number(p.cc))),
        ([p, n]) => {
          const compiled = compileProfile({
            ...baseProfile,
            country_code: p.cc,
            national_prefix: p.prefixes[0]!,
            international_prefix: p.prefixes[1]!,
            egress_format: p.format as 'national',
          });
          expect(toE164(fromE164(n, 'callee', compiled), 'callee', compiled)).toBe(n);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});
