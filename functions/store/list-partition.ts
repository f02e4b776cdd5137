import { keys } from './keys';

/**
 * The index partition that lists one kind: a customer's objects (GSI1) or
 * every object of the kind (GSI2). Its own file so the decision's config
 * reader lists objects without the resource registry (and its CRUD schemas).
 *
 * @example
 * listPartition('route', customerId); // { index: 'GSI1', partition: 'ROUTE#CUSTOMER#<id>' }
 * listPartition('provider'); // { index: 'GSI2', partition: 'PROVIDER' }
 */
export function listPartition(kind: string, customerId?: string) {
  return customerId
    ? { index: 'GSI1' as const, partition: keys.byCustomer(kind, customerId) }
    : { index: 'GSI2' as const, partition: keys.byKind(kind) };
}
