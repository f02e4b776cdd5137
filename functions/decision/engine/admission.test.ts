import { describe, expect, it } from 'vitest';
import { HEALTH_CHECK_DEFAULTS } from '../../domain/health-check';
import { callLimits, providerAdmission } from './admission';
import { compileCustomerRules } from './fraud-policy';
import { ACME, baseIpbx, customer, provider } from './test-fixtures';

const noLimits = { max_concurrent_calls: null, max_cps: null };

describe('caller-side limits of a routed call', () => {
  it('none set: no list at all', () => {
    expect(callLimits(baseIpbx, compileCustomerRules(customer(ACME)))).toBeUndefined();
    expect(callLimits(undefined, undefined)).toBeUndefined();
  });

  it("the IPBX's and the customer's, each when either of its fields is set", () => {
    const ipbx = { ...baseIpbx, limits: { max_concurrent_calls: 10, max_cps: null } };
    const rules = compileCustomerRules(
      customer(ACME, { limits: { max_concurrent_calls: null, max_cps: 0.5 } }),
    );
    expect(callLimits(ipbx, rules)).toEqual([
      { scope: 'ipbx', id: baseIpbx.id, limits: { max_concurrent_calls: 10, max_cps: null } },
      { scope: 'customer', id: ACME, limits: { max_concurrent_calls: null, max_cps: 0.5 } },
    ]);
    expect(callLimits(baseIpbx, rules)).toEqual([
      { scope: 'customer', id: ACME, limits: { max_concurrent_calls: null, max_cps: 0.5 } },
    ]);
    expect(callLimits(ipbx, compileCustomerRules(customer(ACME)))).toEqual([
      { scope: 'ipbx', id: baseIpbx.id, limits: { max_concurrent_calls: 10, max_cps: null } },
    ]);
  });
});

describe('what a provider target carries for admission', () => {
  it('nothing for a provider without limits or health checks', () => {
    expect(providerAdmission(provider(1))).toEqual({});
  });

  it('its limits when either is set', () => {
    expect(providerAdmission(provider(1, { limits: { ...noLimits, max_cps: 5 } }))).toEqual({
      limits: { max_concurrent_calls: null, max_cps: 5 },
    });
  });

  it('passive_down_after when health-checked: its own setting, the default for one stored before it', () => {
    const checked = provider(1, { health_check: { enabled: true, interval_s: 30, passive_down_after: 7 } });
    expect(providerAdmission(checked)).toEqual({ passive_down_after: 7 });
    const older = provider(1, { health_check: { enabled: true, interval_s: 30 } });
    expect(providerAdmission(older)).toEqual({
      passive_down_after: HEALTH_CHECK_DEFAULTS.passive_down_after,
    });
    const off = provider(1, { health_check: { enabled: false, interval_s: 30, passive_down_after: 7 } });
    expect(providerAdmission(off)).toEqual({});
  });
});
