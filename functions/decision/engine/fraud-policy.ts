import type { AdmissionLimits } from '../../../contract/decide';
import type { StoredCustomer } from '../../domain/customer';
import { type CustomerBilling, hasCreditControl } from '../../domain/customer-billing';
import { longestPrefixIn, type PrefixIndex, prefixIndex } from './prefix-index';

/**
 * A customer's limits and fraud policy as the decision reads them (docs/admission.md, "Fraud
 * policy"): prefix lists as longest-first indexes, the provider list as a set, and `undefined`
 * wherever the policy leaves things open.
 */
export type CustomerRules = {
  id: string;
  /** Set when either limit is. */
  limits: AdmissionLimits | undefined;
  /** Undefined: every destination (that is not denied). */
  allowDestinations: PrefixIndex<true> | undefined;
  denyDestinations: PrefixIndex<true>;
  /** Undefined: any provider. */
  allowedProviders: ReadonlySet<string> | undefined;
  /** Undefined: any caller (`mode: any`). */
  callerId: RestrictedCallerId | undefined;
  maxDurationS: number | undefined;
  /** Set when the decision checks the customer's credit (prepaid, or a credit or daily spend limit). */
  billing: CustomerBilling | undefined;
  /** The customer's rate plan (its sell prices); null: none. */
  ratePlanId: string | null;
};

export type RestrictedCallerId = {
  allowOwnDids: boolean;
  allowPrefixes: PrefixIndex<true>;
  /** Null: a caller that breaks the rule is refused. */
  replacement: string | null;
};

const indexOf = (prefixes: readonly string[]) => prefixIndex(prefixes.map((p): [string, true] => [p, true]));

/** What the decision applies to a customer it has no object for: nothing. */
export const NO_RULES: CustomerRules = {
  id: '',
  limits: undefined,
  allowDestinations: undefined,
  denyDestinations: indexOf([]),
  allowedProviders: undefined,
  callerId: undefined,
  maxDurationS: undefined,
  billing: undefined,
  ratePlanId: null,
};

/**
 * Compiles a stored customer; one stored before `limits` or `policy` existed has none.
 *
 * @example
 * const rules = compileCustomerRules(customer);
 */
export function compileCustomerRules(customer: StoredCustomer): CustomerRules {
  const limits = customer.limits;
  const policy = customer.policy;
  const callerId = policy?.caller_id;
  const allow = policy?.destinations.allow_prefixes ?? [];
  const providers = policy?.allowed_provider_ids ?? [];
  return {
    id: customer.id,
    limits:
      limits && (limits.max_concurrent_calls !== null || limits.max_cps !== null)
        ? { max_concurrent_calls: limits.max_concurrent_calls, max_cps: limits.max_cps }
        : undefined,
    allowDestinations: allow.length > 0 ? indexOf(allow) : undefined,
    denyDestinations: indexOf(policy?.destinations.deny_prefixes ?? []),
    allowedProviders: providers.length > 0 ? new Set(providers) : undefined,
    callerId:
      callerId?.mode === 'restricted'
        ? {
            allowOwnDids: callerId.allow_own_dids,
            allowPrefixes: indexOf(callerId.allow_prefixes),
            replacement: callerId.on_violation === 'replace' ? callerId.replacement : null,
          }
        : undefined,
    maxDurationS: policy?.max_call_duration_s ?? undefined,
    billing: customer.billing && hasCreditControl(customer.billing) ? customer.billing : undefined,
    ratePlanId: customer.rate_plan_id ?? null,
  };
}

/**
 * Why an outbound call to `callee` (E.164) is refused, or undefined when it may go. A deny
 * prefix (the customer's, or the operator's: the default customer's deny list applies to every
 * customer) wins over an allow prefix; a non-empty allow list that does not match refuses.
 *
 * @example
 * destinationRefusal('+881612345678', rules, operator); // 'destination denied: +881'
 */
export function destinationRefusal(
  callee: string,
  customer: CustomerRules,
  operator: CustomerRules | undefined,
): string | undefined {
  const denied = longestPrefixIn(customer.denyDestinations, callee);
  if (denied) return `destination denied: ${denied}`;
  const operatorDenied =
    operator && operator !== customer ? longestPrefixIn(operator.denyDestinations, callee) : undefined;
  // Named as the operator's: the customer cannot lift it, only ask.
  if (operatorDenied) return `destination denied by operator: ${operatorDenied}`;
  if (customer.allowDestinations && !longestPrefixIn(customer.allowDestinations, callee)) {
    return 'destination not allowed';
  }
  return undefined;
}

export type CallerIdVerdict =
  | { result: 'allowed' }
  | { result: 'replaced'; caller: string }
  | { result: 'refused'; reason: string };

const ALLOWED: CallerIdVerdict = { result: 'allowed' };

/**
 * Whether the customer may present `caller` (E.164 after ingress normalization, or as received
 * when it does not normalize, or `anonymous`). Restricted: one of its own DIDs (`ownsNumber`,
 * ranges included) or a number under an allowed prefix; anything else is refused or replaced.
 * `anonymous` matches neither: a caller who wants to hide sends its number with `Privacy: id`.
 *
 * @example
 * callerIdVerdict('+12125550100', rules, (n) => findDid(global, n)?.customer_id === rules.id);
 */
export function callerIdVerdict(
  caller: string,
  customer: CustomerRules,
  ownsNumber: (e164: string) => boolean,
): CallerIdVerdict {
  const rule = customer.callerId;
  if (!rule) return ALLOWED;
  // Only E.164 numbers can be DIDs or fall under an E.164 prefix.
  if (caller.startsWith('+')) {
    if (rule.allowOwnDids && ownsNumber(caller)) return ALLOWED;
    if (longestPrefixIn(rule.allowPrefixes, caller)) return ALLOWED;
  }
  return rule.replacement !== null
    ? { result: 'replaced', caller: rule.replacement }
    : { result: 'refused', reason: 'caller ID not allowed' };
}

/** Whether the customer's calls may go out through `providerId` (its routes' and the default customer's). */
export function providerAllowed(customer: CustomerRules | undefined, providerId: string): boolean {
  return customer?.allowedProviders?.has(providerId) ?? true;
}
