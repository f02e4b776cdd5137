import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import type { DecideRequest } from '../../../contract/decide';
import { normalizationProfileInput } from '../../domain/normalization-profile';
import { compileSnapshot } from './compile-snapshot';
import { type DecideOptions, decide } from './decide';
import { compilePattern, compileProfile, MAX_RULE_VALUE_LENGTH, toE164 } from './normalize';
import { seededRandom } from './random';
import { baseIpbx, baseProfile, baseRequest, provider, route, uid } from './test-fixtures';

/** Classic catastrophic-backtracking patterns: exponential on `aaa…a!` with a backtracking engine. */
const CATASTROPHIC = ['(a+)+$', '(a|aa)+$', '(.*a){20}', '^(a+)+$', '(a*)*b'];
const evil = (n: number) => `${'a'.repeat(n)}!`;

/**
 * How many times matching reads a character of the input: the input is a
 * UTF-8 byte array behind a counting proxy. A backtracking engine re-reads
 * the input exponentially often on these patterns; RE2 steps through it once
 * (a few reads per character), whatever the pattern. No clock involved.
 */
function readsToMatch(re: RE2JS, input: string, replace?: string): number {
  let reads = 0;
  const bytes = new Proxy([...Buffer.from(input)], {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^[0-9]+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  const matcher = re.matcher(bytes);
  if (replace === undefined) matcher.find();
  else matcher.replaceFirst(replace);
  return reads;
}

const profileWith = (id: string, customer: string, matches: string[]) => ({
  ...baseProfile,
  id,
  customer_id: customer,
  rules: matches.map((match) => ({
    direction: 'ingress' as const,
    party: 'both' as const,
    match,
    replace: '$1',
  })),
});

describe('tenant patterns run on RE2: linear time', () => {
  it.each(CATASTROPHIC)('%s: accepted, compiled by RE2, a few reads per input character', (pattern) => {
    const profile = profileWith(uid(950), uid(1), [pattern]);
    expect(normalizationProfileInput.safeParse(profile).success).toBe(true);
    const re = compileProfile(profile).ingress[0]!.re!;
    expect(re).toBeInstanceOf(RE2JS);
    for (const n of [250, 1_000, 4_000, 16_000]) {
      expect(readsToMatch(re, evil(n))).toBeLessThanOrEqual(8 * (n + 1));
      expect(readsToMatch(re, evil(n), '$1')).toBeLessThanOrEqual(8 * (n + 1));
    }
    // The decision's own path, on the longest value rules take: it returns (not a number).
    expect(toE164(evil(MAX_RULE_VALUE_LENGTH - 1), 'callee', compileProfile(profile))).toBeUndefined();
  });

  it('what RE2 refuses is refused at write time (400 naming the field), too long patterns and too many rules too', () => {
    const check = (rules: { match: string }[]) =>
      normalizationProfileInput.safeParse({
        customer_id: uid(1),
        name: 'p',
        country_code: '82',
        rules: rules.map((r) => ({ direction: 'ingress', replace: '', ...r })),
      });
    for (const [match, why] of [
      ['(a)\\1', 'backreference'],
      ['^(?=1)\\d+', 'lookahead'],
      ['^(?!0)\\d+', 'negative lookahead'],
      ['(?<=1)2', 'lookbehind'],
      ['a{1001}', 'repeat count'],
    ] as const) {
      const result = check([{ match }]);
      expect(result.success, why).toBe(false);
      expect(result.error!.issues[0]).toMatchObject({ path: ['rules', 0, 'match'] });
      expect(result.error!.issues[0]!.message).toMatch(/RE2/);
    }
    expect(check([{ match: '1'.repeat(257) }]).error!.issues[0]!.path).toEqual(['rules', 0, 'match']);
    expect(check(Array.from({ length: 51 }, () => ({ match: '^1' }))).error!.issues[0]!.path).toEqual([
      'rules',
    ]);
    expect(check([{ match: '(?P<national>0\\d+)' }, { match: '(?i)^x' }]).success).toBe(true);
  });

  it('a pattern stored before the RE2 check (RE2 refuses it) is skipped, not a crash of the snapshot', () => {
    const compiled = compileProfile(profileWith(uid(951), uid(1), ['^9(\\d+)$', '(?=1)2', '^(0)2']));
    expect(compiled.unsupported).toEqual([1]);
    expect(toE164('9021234567', 'callee', compiled)).toBe('+821234567');
  });

  it('a replacement cannot grow a number without bound', () => {
    const doubling = {
      ...baseProfile,
      rules: Array.from({ length: 20 }, () => ({
        direction: 'ingress' as const,
        party: 'both' as const,
        match: '^(.*)$',
        replace: '$1$1',
      })),
    };
    expect(toE164('12', 'callee', compileProfile(doubling))).toBeUndefined();
  });
});

describe('replacement syntax is String.prototype.replace’s (property)', () => {
  // Patterns both engines read alike: digits, classes, groups, alternation, anchors, quantifiers.
  const atom = fc.constantFrom('0', '1', '9', '\\d', '[0-4]', '.', '\\+');
  const piece = fc.tuple(atom, fc.constantFrom('', '*', '+', '?', '{1,3}', '+?')).map(([a, q]) => a + q);
  // Inside a group nothing may match empty: how a repeated group that matched the empty string
  // captures is where RE2 and backtracking engines differ (docs/security.md).
  const solid = fc.tuple(atom, fc.constantFrom('', '+', '{1,3}', '+?')).map(([a, q]) => a + q);
  const sequence = fc.array(solid, { minLength: 1, maxLength: 3 }).map((p) => p.join(''));
  const group = fc
    .tuple(sequence, fc.option(sequence, { nil: undefined }), fc.constantFrom('', '?', '+'))
    .map(([a, b, q]) => `(${b === undefined ? a : `${a}|${b}`})${q}`);
  const pattern = fc
    .tuple(
      fc.constantFrom('', '^'),
      fc.array(fc.oneof(piece, group), { minLength: 1, maxLength: 4 }),
      fc.constantFrom('', '$'),
    )
    .map(([a, body, z]) => a + body.join('') + z);
  const replacement = fc
    .array(fc.constantFrom('$1', '$2', '$&', '$$', '$`', "$'", 'x', '+', '0', '$9', '$'), { maxLength: 5 })
    .map((r) => r.join(''));
  const input = fc.stringMatching(/^\+?[0-9]{0,12}$/);

  it('rules rewrite exactly as the RegExp engine did on patterns both accept', () => {
    fc.assert(
      fc.property(pattern, replacement, input, (p, r, value) => {
        const re = compilePattern(p)!;
        expect(re).toBeDefined();
        expect(re.matcher(value).replaceFirst(r)).toBe(value.replace(new RegExp(p), r));
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('named groups, $<name>', () => {
    const re = compilePattern('^0(?P<area>\\d{2})(?P<rest>\\d+)$')!;
    expect(re.matcher('0212345678').replaceFirst('+82$<area>$<rest>')).toBe('+82212345678');
  });
});

describe('one tenant’s patterns do not stall another’s decisions', () => {
  const A = uid(61);
  const B = uid(62);
  const carrier = provider(1);
  const pbxA = {
    ...baseIpbx,
    id: uid(610),
    customer_id: A,
    allowed_sources: [{ cidr: '198.51.100.61' }],
    normalization_profile_id: uid(960),
  };
  const pbxB = {
    ...baseIpbx,
    id: uid(620),
    customer_id: B,
    allowed_sources: [{ cidr: '198.51.100.62' }],
    normalization_profile_id: uid(961),
  };
  const evilProfile = profileWith(uid(960), A, CATASTROPHIC);
  const goodProfile = { ...profileWith(uid(961), B, []), id: uid(961), customer_id: B };
  const routes = [
    route({ customer_id: A, provider_id: carrier.id }),
    route({ customer_id: B, provider_id: carrier.id }),
  ];
  const global = (profiles: (typeof baseProfile)[]) => ({
    ipbxs: [pbxA, pbxB],
    providers: [carrier],
    dids: [],
    domains: [],
    profiles,
  });
  const shared = compileSnapshot({ global: global([evilProfile, goodProfile]), routes });
  const alone = compileSnapshot({ global: global([goodProfile]), routes });
  const options: DecideOptions = {
    now: Date.parse('2026-11-23T10:00:00Z'),
    random: seededRandom(1),
    nonceSecret: 'n'.repeat(20),
  };
  const call = (ip: string, callee: string): DecideRequest => ({
    ...baseRequest,
    source: { ip, port: 5060, transport: 'udp' },
    request_uri: `sip:${callee}@relay.example`,
  });
  const bCalls = ['0212345678', '+14155550100', '01012345678'].map((n) => call('198.51.100.62', n));

  it('A’s calls with hostile numbers finish; B’s decisions are those of a snapshot without A', () => {
    const expected = bCalls.map((c) => decide(c, alone, options).response);
    expect(expected.every((r) => r.action === 'route')).toBe(true);
    for (let round = 0; round < 5; round++) {
      // A's worst input: the longest value rules run on, built to make each pattern backtrack.
      const hostile = decide(call('198.51.100.61', evil(MAX_RULE_VALUE_LENGTH - 1)), shared, options);
      expect(hostile.response).toMatchObject({ action: 'reject', code: 484, reason: 'invalid_callee' });
      // A's rules do not match digits: its ordinary calls still route.
      expect(decide(call('198.51.100.61', '0212345678'), shared, options).response.action).toBe('route');
      expect(bCalls.map((c) => decide(c, shared, options).response)).toEqual(expected);
    }
  });

  it('the work A’s rules add per decision is bounded: linear in the value, the same for every rule', () => {
    const compiled = shared.global.profiles.get(evilProfile.id)!;
    expect(compiled.ingress).toHaveLength(CATASTROPHIC.length);
    const n = MAX_RULE_VALUE_LENGTH;
    const reads = compiled.ingress.map((rule) => readsToMatch(rule.re!, evil(n - 1), rule.replace));
    // Per decision: at most rules × 8 reads per character of a value capped at MAX_RULE_VALUE_LENGTH.
    for (const r of reads) expect(r).toBeLessThanOrEqual(8 * n);
  });
});
