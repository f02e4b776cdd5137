import { beforeAll, describe, expect, it } from 'vitest';
import { apiHarness } from './api-fixture';
import { create } from './world';

type H = Awaited<ReturnType<typeof apiHarness>>;

/** Normalization rules are RE2 patterns (docs/security.md), checked when written. */
describe('normalization profile patterns', () => {
  let h: H;
  let customerId: string;
  let key: string;
  const profile = (rules: unknown[]) => ({ customer_id: customerId, name: 'p', country_code: '82', rules });
  const rule = (match: string) => ({ direction: 'ingress', match, replace: '$1' });

  beforeAll(async () => {
    h = await apiHarness();
    customerId = (await create(h.call, 'customers', { name: 'patterns' })).id;
    key = await h.customerKey(customerId);
  });

  it.each([
    ['a backreference', '^(\\d)\\1+$'],
    ['a lookahead', '^(?=0)(\\d+)$'],
    ['a negative lookahead', '^(?!00)(\\d+)$'],
    ['a lookbehind', '(?<=9)(\\d+)'],
  ])('%s is refused: 400 naming the rule’s match', async (_what, match) => {
    const res = await h.call('POST', '/v1/normalization-profiles', {
      key,
      body: profile([rule('^0(\\d+)$'), rule(match)]),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'rules.1.match', message: expect.stringContaining('RE2') }]);
  });

  it('patterns longer than 256 characters and more than 50 rules are refused', async () => {
    const long = await h.call('POST', '/v1/normalization-profiles', {
      key,
      body: profile([rule(`^${'1'.repeat(256)}`)]),
    });
    expect(long.status).toBe(400);
    expect(long.body.errors[0].field).toBe('rules.0.match');
    const many = await h.call('POST', '/v1/normalization-profiles', {
      key,
      body: profile(Array.from({ length: 51 }, () => rule('^9(\\d+)$'))),
    });
    expect(many.status).toBe(400);
    expect(many.body.errors[0].field).toBe('rules');
  });

  it('patterns that backtrack catastrophically elsewhere are fine on RE2; PATCH is checked the same way', async () => {
    const made = await create(
      h.call,
      'normalization-profiles',
      profile([rule('(a+)+$'), rule('(a|aa)+$')]),
      key,
    );
    const res = await h.call('PATCH', `/v1/normalization-profiles/${made.id}`, {
      key,
      body: { rules: [rule('(.*a){20}'), rule('(a)\\1')] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('rules.1.match');
  });
});
