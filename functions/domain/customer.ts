import { z } from '@hono/zod-openapi';
import { detail, id, limits, name, timestamps } from './common';
import { customerPolicy, defaultCustomerPolicy } from './customer-policy';

export * from './customer-policy';

const NO_LIMITS = { max_concurrent_calls: null, max_cps: null };

export const customerInput = z
  .object({
    name,
    detail,
    /** Calls of all its IPBXs together, counted by each relay site (docs/admission.md). */
    limits: limits.default(() => ({ ...NO_LIMITS })),
    /** Fraud controls on the calls it originates (docs/admission.md, "Fraud policy"); only the operator writes customers. */
    policy: customerPolicy.default(defaultCustomerPolicy),
  })
  .openapi('CustomerInput');
export const customer = customerInput.extend({ id, ...timestamps }).openapi('Customer');
export type CustomerInput = z.infer<typeof customerInput>;
export type Customer = z.infer<typeof customer>;

/** A customer as stored: those stored before `limits` and `policy` existed lack them. */
export type StoredCustomer = Omit<Customer, 'limits' | 'policy'> &
  Partial<Pick<Customer, 'limits' | 'policy'>>;

/**
 * A stored customer with the defaults of the fields it predates (API reads show them).
 *
 * @example
 * withCustomerDefaults({ id, name: 'default', detail: '', ...times }).policy.allowed_provider_ids; // []
 */
export function withCustomerDefaults<T extends object>(stored: T): T & Pick<Customer, 'limits' | 'policy'> {
  const { limits, policy } = stored as Partial<Pick<Customer, 'limits' | 'policy'>>;
  return { ...stored, limits: limits ?? { ...NO_LIMITS }, policy: policy ?? defaultCustomerPolicy() };
}
