import { describe, expect, it } from 'vitest';
import {
  customerInput,
  defaultCustomerPolicy,
  MAX_ALLOWED_PROVIDERS,
  withCustomerDefaults,
} from './customer';

const P1 = '3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10';
const parse = (body: unknown) => customerInput.safeParseAsync(body);
const fields = async (body: unknown) => {
  const r = await parse(body);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('customer limits and policy', () => {
  it('default to no limits and a policy that changes nothing', async () => {
    const r = await parse({ name: 'acme' });
    expect(r.success && r.data).toEqual({
      name: 'acme',
      detail: '',
      limits: { max_concurrent_calls: null, max_cps: null },
      policy: defaultCustomerPolicy(),
      billing: { mode: 'postpaid', credit_limit: null, daily_spend_limit: null },
      rate_plan_id: null,
    });
    expect(defaultCustomerPolicy()).toEqual({
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
    });
  });

  it('fill in the parts a policy leaves out', async () => {
    const r = await parse({ name: 'acme', policy: { destinations: { deny_prefixes: ['+881'] } } });
    expect(r.success && r.data.policy).toEqual({
      ...defaultCustomerPolicy(),
      destinations: { allow_prefixes: [], deny_prefixes: ['+881'] },
    });
  });

  it.each([
    [{ limits: { max_concurrent_calls: 0 } }, 'limits.max_concurrent_calls'],
    [{ limits: { max_cps: 0.01 } }, 'limits.max_cps'],
    [{ policy: { destinations: { allow_prefixes: ['1'] } } }, 'policy.destinations.allow_prefixes.0'],
    [{ policy: { destinations: { deny_prefixes: ['+881', '+881'] } } }, 'policy.destinations.deny_prefixes'],
    [{ policy: { allowed_provider_ids: ['carrier-a'] } }, 'policy.allowed_provider_ids.0'],
    [{ policy: { allowed_provider_ids: [P1, P1] } }, 'policy.allowed_provider_ids'],
    [
      { policy: { allowed_provider_ids: Array(MAX_ALLOWED_PROVIDERS + 1).fill(P1) } },
      'policy.allowed_provider_ids',
    ],
    [{ policy: { caller_id: { mode: 'strict' } } }, 'policy.caller_id.mode'],
    [{ policy: { caller_id: { on_violation: 'replace' } } }, 'policy.caller_id.replacement'],
    [
      { policy: { caller_id: { on_violation: 'replace', replacement: '+1' } } },
      'policy.caller_id.replacement',
    ],
    [{ policy: { caller_id: { replacement: '14155550100' } } }, 'policy.caller_id.replacement'],
    [
      { policy: { caller_id: { mode: 'restricted', allow_own_dids: false } } },
      'policy.caller_id.allow_prefixes',
    ],
    [{ policy: { max_call_duration_s: 0 } }, 'policy.max_call_duration_s'],
    [{ policy: { max_call_duration_s: 1.5 } }, 'policy.max_call_duration_s'],
  ])('%j → an error naming %s', async (change, field) => {
    expect(await fields({ name: 'acme', ...change })).toContain(field);
  });

  it('accepts a full policy', async () => {
    const policy = {
      destinations: { allow_prefixes: ['+1', '+4420'], deny_prefixes: ['+1900'] },
      allowed_provider_ids: [P1],
      caller_id: {
        mode: 'restricted',
        allow_own_dids: false,
        allow_prefixes: ['+1212555'],
        on_violation: 'replace',
        replacement: '+12125550100',
      },
      max_call_duration_s: 3600,
    };
    const r = await parse({ name: 'acme', policy });
    expect(r.success && r.data.policy).toEqual(policy);
  });

  it('a customer stored before limits, policies and billing reads with their defaults', () => {
    const stored = { id: P1, name: 'old' };
    expect(withCustomerDefaults(stored)).toEqual({
      ...stored,
      limits: { max_concurrent_calls: null, max_cps: null },
      policy: defaultCustomerPolicy(),
      billing: { mode: 'postpaid', credit_limit: null, daily_spend_limit: null },
      rate_plan_id: null,
    });
  });
});
