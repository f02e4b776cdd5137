import { describe, expect, it } from 'vitest';
import { loadSettings } from '../settings/settings';
import { type Doc, resources } from '../store';
import { assertSourcePolicy } from './source-policy';

const customer = { kind: 'customer' as const, customerId: 'c', keyId: 'k' };
const operator = { kind: 'operator' as const };
const limits = { minPrefixV4: 8, minPrefixV6: 32 };
const doc = (sources: { cidr: string }[], over: Record<string, unknown> = {}) =>
  ({ id: 'i', tm_create: 't', customer_id: 'c', allowed_sources: sources, ...over }) as Doc;

describe('source policy for customer keys', () => {
  it('takes its limits from the settings (defaults /8 and /32)', () => {
    expect(loadSettings({}).sourceLimits).toEqual({ minPrefixV4: 8, minPrefixV6: 32 });
    expect(
      loadSettings({ TANDEM_MIN_SOURCE_PREFIX_V4: '16', TANDEM_MIN_SOURCE_PREFIX_V6: '48' }).sourceLimits,
    ).toEqual({ minPrefixV4: 16, minPrefixV6: 48 });
    expect(() => loadSettings({ TANDEM_MIN_SOURCE_PREFIX_V4: '33' })).toThrow(/TANDEM_MIN_SOURCE_PREFIX_V4/);
  });

  it('refuses new sources wider than the limits (400 naming each), keeps the ones the object had', () => {
    const check =
      (before: Doc | undefined, after: Doc, l = limits) =>
      () =>
        assertSourcePolicy(resources.ipbx, customer, before, after, l);
    expect(check(undefined, doc([{ cidr: '10.0.0.0/8' }, { cidr: '2001:db8::/32' }]))).not.toThrow();
    expect(check(undefined, doc([{ cidr: '10.0.0.0/8' }, { cidr: '8.0.0.0/7' }, { cidr: '::/0' }]))).toThrow(
      expect.objectContaining({
        status: 400,
        errors: [
          expect.objectContaining({ field: 'allowed_sources.1.cidr' }),
          expect.objectContaining({ field: 'allowed_sources.2.cidr' }),
        ],
      }),
    );
    expect(check(undefined, doc([{ cidr: '10.0.0.0/8' }]), { minPrefixV4: 16, minPrefixV6: 32 })).toThrow(
      expect.objectContaining({ status: 400 }),
    );
    const given = doc([{ cidr: '8.0.0.0/7' }]);
    expect(check(given, doc([{ cidr: '8.0.0.0/7' }], { name: 'x' }))).not.toThrow();
    expect(() =>
      assertSourcePolicy(resources.ipbx, operator, undefined, doc([{ cidr: '0.0.0.0/0' }]), limits),
    ).not.toThrow();
  });

  it('only the operator shares sources (403); a customer keeps or drops the operator’s sharing', () => {
    const check = (before: Doc | undefined, after: Doc) => () =>
      assertSourcePolicy(resources.ipbx, customer, before, after, limits);
    const shared = doc([], { shared_source: true });
    expect(check(undefined, shared)).toThrow(
      expect.objectContaining({ status: 403, errors: [expect.objectContaining({ field: 'shared_source' })] }),
    );
    expect(check(doc([]), shared)).toThrow(expect.objectContaining({ status: 403 }));
    expect(check(shared, shared)).not.toThrow();
    expect(check(shared, doc([], { shared_source: false }))).not.toThrow();
  });
});
