import type { AdmissionLimits } from '../../contract/decide';

/** One counted thing of a call: `ipbx:<id>`, `customer:<id>` or `provider:<id>`, and its limits. */
export type AdmissionScope = { key: string; limits: AdmissionLimits };

/** Why a call (or one attempt) was not admitted: the scope and the limit it hit. */
export type Refusal = { key: string; limit: 'max_concurrent_calls' | 'max_cps' };

/**
 * Call admission of a relay site (docs/admission.md): a call holds a lease on each scope it
 * counts in (its IPBX, its customer, the provider of its live attempt) until it ends.
 */
export type Admission = {
  /**
   * Takes a lease on every scope for `member` (the call's record id) and counts the call against
   * each scope's call rate, all or nothing: the first scope over a limit is returned and nothing
   * is taken. Never rejects.
   */
  admit(member: string, scopes: readonly AdmissionScope[]): Promise<Refusal | undefined>;
  /** Gives the leases back (a call that ended, an attempt that failed); unknown ones are ignored. */
  release(member: string, keys: readonly string[]): void;
  /** Whether it counts with the site (Redis) or alone (no Redis, or Redis unreachable). */
  mode(): 'site' | 'local';
  close(): Promise<void>;
};

export const scopeKey = (scope: 'ipbx' | 'customer' | 'provider', id: string) => `${scope}:${id}`;

/** The scope (`ipbx`) and id of a key, for the Reason header and logs. */
export function describeRefusal(refusal: Refusal): { scope: string; id: string; limit: Refusal['limit'] } {
  const at = refusal.key.indexOf(':');
  return { scope: refusal.key.slice(0, at), id: refusal.key.slice(at + 1), limit: refusal.limit };
}
