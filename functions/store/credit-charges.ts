import { batchGet } from './batch-get';
import type { Store } from './client';
import { keys } from './keys';

/**
 * The read of the credit accounts' charge markers (docs/billing.md, "Credit") that charging starts
 * with (store/credit.ts, `chargeCalls`): which records were charged already, so a batch sent again
 * skips them at the cost of one read per 100 records, not a transaction each.
 */

/**
 * The ids among `charges` that have their `CHARGE#<cdr id>` marker (strongly consistent). Requests
 * of 100 keys run at once.
 *
 * @example
 * const done = await chargedAlready(store, [{ customerId, cdrId }]);
 */
export async function chargedAlready(
  store: Store,
  charges: readonly { customerId: string; cdrId: string }[],
): Promise<Set<string>> {
  const items = await batchGet(
    store,
    charges.map((c) => keys.creditCharge(c.customerId, c.cdrId)),
    ['SK'],
  );
  return new Set(items.map((item) => String(item['SK']).slice('CHARGE#'.length)));
}
