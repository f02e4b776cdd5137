import type { AdmissionLimits, CallLimit, RouteTarget } from '../../../contract/decide';
import { HEALTH_CHECK_DEFAULTS } from '../../domain/health-check';
import type { StoredIpbx } from '../../domain/ipbx';
import type { StoredProvider } from '../../domain/provider';
import type { CustomerRules } from './fraud-policy';

/** Limits with either field set, in the contract's form; undefined when neither is. */
function setLimits(limits: { max_concurrent_calls: number | null; max_cps: number | null } | undefined) {
  if (!limits || (limits.max_concurrent_calls === null && limits.max_cps === null)) return undefined;
  return { max_concurrent_calls: limits.max_concurrent_calls, max_cps: limits.max_cps } as AdmissionLimits;
}

/**
 * The caller side's limits of a call the customer originates, as the relay enforces them
 * (docs/admission.md): its IPBX's and its customer's, each only when set. Undefined when none
 * is, so the answer leaves the field out.
 *
 * @example
 * callLimits(ipbx, rules); // [{ scope: 'ipbx', id: ipbx.id, limits: { max_concurrent_calls: 10, max_cps: null } }]
 */
export function callLimits(
  ipbx: StoredIpbx | undefined,
  customer: CustomerRules | undefined,
): CallLimit[] | undefined {
  const ipbxLimits = setLimits(ipbx?.limits);
  const customerLimits = customer?.limits;
  if (!ipbxLimits && !customerLimits) return undefined;
  const list: CallLimit[] = [];
  if (ipbx && ipbxLimits) list.push({ scope: 'ipbx', id: ipbx.id, limits: ipbxLimits });
  if (customer && customerLimits) list.push({ scope: 'customer', id: customer.id, limits: customerLimits });
  return list;
}

/**
 * What the relay needs to admit an attempt to a provider: its limits when set, and after how many
 * failed attempts in a row its site holds it down when it is health-checked.
 *
 * @example
 * providerAdmission(provider); // { limits: { max_concurrent_calls: 30, max_cps: 5 }, passive_down_after: 3 }
 */
export function providerAdmission(
  provider: StoredProvider,
): Pick<RouteTarget, 'limits' | 'passive_down_after'> {
  const limits = setLimits(provider.limits);
  const health = provider.health_check;
  return {
    ...(limits ? { limits } : {}),
    ...(health.enabled
      ? // A provider stored before the setting existed gets its default.
        { passive_down_after: health.passive_down_after ?? HEALTH_CHECK_DEFAULTS.passive_down_after }
      : {}),
  };
}
