import { createHash, randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from './client';
import { keys } from './keys';

/** sha256 of a key, hex: the only form of a customer key the store keeps. */
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** A new customer key (`tdm_` + 32 random bytes, base64url) with what is stored of it. */
export function newApiKey(): { key: string; key_hash: string; key_prefix: string } {
  const key = `tdm_${randomBytes(32).toString('base64url')}`;
  return { key, key_hash: hashApiKey(key), key_prefix: key.slice(0, 8) };
}

/**
 * Which customer a presented key belongs to (undefined: unknown key).
 *
 * @example
 * const owner = await lookupApiKey(store, bearer); // { id, customer_id } | undefined
 */
export async function lookupApiKey(
  store: Store,
  key: string,
): Promise<{ id: string; customer_id: string } | undefined> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: keys.guard('api_key_hash', hashApiKey(key)) }),
  );
  if (out.Item?.['owner_kind'] !== 'api_key') return undefined;
  return { id: String(out.Item['owner_id']), customer_id: String(out.Item['customer_id']) };
}
