import { z } from '@hono/zod-openapi';
import { detail, id, limits, name, timestamps } from './common';
import { customerBilling, defaultCustomerBilling, hasCreditControl } from './customer-billing';
import { customerPolicy, defaultCustomerPolicy } from './customer-policy';

export * from './customer-billing';
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
    /** Prepaid or postpaid, credit and daily spend limits (docs/billing.md, "Credit"). */
    billing: customerBilling.default(defaultCustomerBilling),
    /** The rate plan its calls are priced with (sell; docs/billing.md); null: none, calls are not priced. */
    rate_plan_id: id.nullable().default(null),
  })
  // Credit control acts on what calls are charged, and calls are charged from the rate plan's
  // prices only: prepaid, a credit limit or a daily spend limit without a plan would do nothing.
  .superRefine((input, ctx) => {
    if (input.rate_plan_id === null && hasCreditControl(input.billing)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rate_plan_id'],
        message: 'credit control needs a rate plan: billing is prepaid or sets a credit or daily spend limit',
      });
    }
  })
  .openapi('CustomerInput');
export const customer = customerInput.safeExtend({ id, ...timestamps }).openapi('Customer');
export type CustomerInput = z.infer<typeof customerInput>;
export type Customer = z.infer<typeof customer>;

/** A customer as stored: those stored before `limits`, `policy`, `billing` and `rate_plan_id` existed lack them. */
export type StoredCustomer = Omit<Customer, 'limits' | 'policy' | 'billing' | 'rate_plan_id'> &
  Partial<Pick<Customer, 'limits' | 'policy' | 'billing' | 'rate_plan_id'>>;

/**
 * A stored customer with the defaults of the fields it predates (API reads show them).
 *
 * @example
 * withCustomerDefaults({ id, name: 'default', detail: '', ...times }).policy.allowed_provider_ids; // []
 */
export function withCustomerDefaults<T extends object>(
  stored: T,
): T & Pick<Customer, 'limits' | 'policy' | 'billing' | 'rate_plan_id'> {
  const { limits, policy, billing, rate_plan_id } = stored as Partial<
    Pick<Customer, 'limits' | 'policy' | 'billing' | 'rate_plan_id'>
  >;
  return {
    ...stored,
    limits: limits ?? { ...NO_LIMITS },
    policy: policy ?? defaultCustomerPolicy(),
    billing: billing ?? defaultCustomerBilling(),
    rate_plan_id: rate_plan_id ?? null,
  };
}
