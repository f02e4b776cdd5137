import { describe, expect, it } from 'vitest';
import { sameSecret } from '../http/auth';
import { type Doc, resources } from '../store';
import { authorizer, filterValue } from './access';
import { toView } from './view';

const mine = 'c0000000-0000-4000-8000-000000000001';
const theirs = 'c0000000-0000-4000-8000-000000000002';
const customer = { kind: 'customer' as const, customerId: mine, keyId: 'k' };
const doc = (fields: Record<string, unknown>) => ({ id: 'x', tm_create: 't', ...fields }) as Doc;

describe('access rules', () => {
  it('customer-owned objects: others 404 before, 403 after', () => {
    const check = authorizer(resources.route, customer);
    expect(() => check(doc({ customer_id: mine }), 'before')).not.toThrow();
    expect(() => check(doc({ customer_id: theirs }), 'before')).toThrow(
      expect.objectContaining({ status: 404 }),
    );
    expect(() => check(doc({ customer_id: theirs }), 'after')).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });

  it('providers and customers: customer keys never write (403); the operator always may', () => {
    expect(() => authorizer(resources.provider, customer)(doc({}), 'after')).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => authorizer(resources.customer, customer)(doc({ id: mine }), 'before')).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => authorizer(resources.customer, customer)(doc({ id: theirs }), 'before')).toThrow(
      expect.objectContaining({ status: 404 }),
    );
    expect(() => authorizer(resources.provider, { kind: 'operator' })(doc({}), 'after')).not.toThrow();
  });

  it('compares secrets whatever their lengths', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });

  it('reads an unencoded + of a filter as +, lowercases domain names', () => {
    expect(filterValue(resources.did, 'number', ' 14155550100')).toBe('+14155550100');
    expect(filterValue(resources.domain, 'name', 'PBX.Example')).toBe('pbx.example');
  });

  it('views never show hashes or hidden fields', () => {
    const stored = doc({ credentials: { username: 'u', realm: 'r', ha1_md5: 'a', ha1_sha256: 'b' } });
    expect(toView(resources.provider, stored)['credentials']).toEqual({ username: 'u', realm: 'r' });
    expect(toView(resources.api_key, doc({ key_hash: 'h', key_prefix: 'tdm_' }))).not.toHaveProperty(
      'key_hash',
    );
  });
});
