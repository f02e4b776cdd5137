import type { Did } from '../../domain/did';
import type { GlobalTables } from './compile-snapshot';
import { probePrefixes } from './prefix-index';

/**
 * The DID that holds an E.164 number: the exact number, else the longest DID range. Inbound
 * routing and caller-ID ownership read numbers the same way.
 *
 * @example
 * findDid(snapshot.global, '+14155550100')?.ipbx_id;
 */
export function findDid(global: Pick<GlobalTables, 'didExact' | 'didRanges'>, e164: string): Did | undefined {
  const exact = global.didExact.get(e164);
  if (exact) return exact;
  let found: Did | undefined;
  probePrefixes(global.didRanges, e164, (_p, did) => {
    found = did;
    return true;
  });
  return found;
}
