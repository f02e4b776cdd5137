import { describe, expect, it } from 'vitest';
import type { CallerIdPolicy } from '../../domain/customer';
import { compileSnapshot } from './compile-snapshot';
import { findDid } from './did-lookup';
import {
  callerIdVerdict,
  compileCustomerRules,
  destinationRefusal,
  NO_RULES,
  providerAllowed,
} from './fraud-policy';
import { ACME, customer, DEFAULT, did, uid } from './test-fixtures';

const destinations = (allow: string[], deny: string[]) =>
  compileCustomerRules(
    customer(ACME, { policy: { destinations: { allow_prefixes: allow, deny_prefixes: deny } } }),
  );
const operator = (deny: string[]) =>
  compileCustomerRules(
    customer(DEFAULT, { policy: { destinations: { allow_prefixes: [], deny_prefixes: deny } } }),
  );
const none = operator([]);
const customerTimes = { tm_create: '2026-01-01T00:00:00.000Z', tm_update: null, tm_delete: null };

describe('destination policy (outbound callees)', () => {
  it('the defaults allow everything', () => {
    expect(destinationRefusal('+881612345678', compileCustomerRules(customer(ACME)), none)).toBeUndefined();
    expect(destinationRefusal('+881612345678', NO_RULES, undefined)).toBeUndefined();
  });

  it('a deny prefix refuses and is named; the longest matching one is', () => {
    const rules = destinations([], ['+88', '+881']);
    expect(destinationRefusal('+881612345678', rules, none)).toBe('destination denied: +881');
    expect(destinationRefusal('+8821234', rules, none)).toBe('destination denied: +88');
    expect(destinationRefusal('+12125550100', rules, none)).toBeUndefined();
  });

  it('deny beats allow', () => {
    const rules = destinations(['+1'], ['+1900']);
    expect(destinationRefusal('+12125550100', rules, none)).toBeUndefined();
    expect(destinationRefusal('+19005550100', rules, none)).toBe('destination denied: +1900');
  });

  it('a non-empty allow list that does not match refuses', () => {
    const rules = destinations(['+1', '+4420'], []);
    expect(destinationRefusal('+442071234567', rules, none)).toBeUndefined();
    expect(destinationRefusal('+441611234567', rules, none)).toBe('destination not allowed');
    expect(destinationRefusal('+821012345678', rules, none)).toBe('destination not allowed');
  });

  it("the default customer's deny list applies to every customer, over their allow lists", () => {
    const rules = destinations(['+8'], []);
    expect(destinationRefusal('+881612345678', rules, operator(['+881']))).toBe(
      'destination denied by operator: +881',
    );
    expect(destinationRefusal('+881612345678', NO_RULES, operator(['+881']))).toBe(
      'destination denied by operator: +881',
    );
    // The default customer's own calls name its list as theirs.
    const own = operator(['+881']);
    expect(destinationRefusal('+881612345678', own, own)).toBe('destination denied: +881');
  });
});

describe('caller-ID policy', () => {
  const other = uid(4444);
  const snapshot = compileSnapshot({
    global: {
      ipbxs: [],
      providers: [],
      dids: [
        did({ number: '+14155550100' }),
        did({ number: '+14155551', range: true }),
        did({ number: '+1415555', range: true, customer_id: other }),
      ],
      domains: [],
      profiles: [],
    },
    routes: [],
  });
  const owns = (n: string) => findDid(snapshot.global, n)?.customer_id === ACME;
  const rules = (over: Partial<CallerIdPolicy>) =>
    compileCustomerRules(
      customer(ACME, {
        policy: {
          caller_id: {
            mode: 'restricted',
            allow_own_dids: true,
            allow_prefixes: [],
            on_violation: 'reject',
            replacement: null,
            ...over,
          },
        },
      }),
    );

  it('mode any lets every caller through, extensions and anonymous included', () => {
    const any = compileCustomerRules(customer(ACME));
    for (const caller of ['+4930123456', '1001', 'anonymous']) {
      expect(callerIdVerdict(caller, any, owns)).toEqual({ result: 'allowed' });
    }
  });

  it('restricted: its own DID numbers and ranges pass; a nested range of another customer does not', () => {
    const r = rules({});
    expect(callerIdVerdict('+14155550100', r, owns)).toEqual({ result: 'allowed' });
    expect(callerIdVerdict('+14155551234', r, owns)).toEqual({ result: 'allowed' });
    // +1415555 is the other customer's range; +14155551 (longer) is ACME's.
    expect(callerIdVerdict('+14155552222', r, owns)).toEqual({
      result: 'refused',
      reason: 'caller ID not allowed',
    });
  });

  it('restricted: allowed prefixes pass; own DIDs only when allow_own_dids', () => {
    const r = rules({ allow_own_dids: false, allow_prefixes: ['+4930'] });
    expect(callerIdVerdict('+4930123456', r, owns)).toEqual({ result: 'allowed' });
    expect(callerIdVerdict('+14155550100', r, owns)).toEqual({
      result: 'refused',
      reason: 'caller ID not allowed',
    });
  });

  it('restricted: foreign numbers, extensions and anonymous are refused, or replaced', () => {
    const reject = rules({});
    const replace = rules({ on_violation: 'replace', replacement: '+14155550100' });
    for (const caller of ['+4930123456', '1001', 'anonymous']) {
      expect(callerIdVerdict(caller, reject, owns)).toEqual({
        result: 'refused',
        reason: 'caller ID not allowed',
      });
      expect(callerIdVerdict(caller, replace, owns)).toEqual({ result: 'replaced', caller: '+14155550100' });
    }
    expect(callerIdVerdict('+14155550100', replace, owns)).toEqual({ result: 'allowed' });
  });
});

describe('allowed providers', () => {
  it('empty allows any; a list allows only its providers', () => {
    expect(providerAllowed(compileCustomerRules(customer(ACME)), uid(201))).toBe(true);
    expect(providerAllowed(undefined, uid(201))).toBe(true);
    const rules = compileCustomerRules(customer(ACME, { policy: { allowed_provider_ids: [uid(201)] } }));
    expect(providerAllowed(rules, uid(201))).toBe(true);
    expect(providerAllowed(rules, uid(202))).toBe(false);
  });
});

describe('compiling a stored customer', () => {
  it('one stored before limits and policies existed has neither', () => {
    const stored = { id: ACME, name: 'old', detail: '', ...customerTimes };
    expect(compileCustomerRules(stored)).toEqual({ ...NO_RULES, id: ACME });
  });

  it('keeps limits only when one is set, and the maximum duration', () => {
    const rules = compileCustomerRules(
      customer(ACME, {
        limits: { max_concurrent_calls: null, max_cps: 2.5 },
        policy: { max_call_duration_s: 3600 },
      }),
    );
    expect(rules.limits).toEqual({ max_concurrent_calls: null, max_cps: 2.5 });
    expect(rules.maxDurationS).toBe(3600);
    expect(compileCustomerRules(customer(ACME)).limits).toBeUndefined();
  });
});
