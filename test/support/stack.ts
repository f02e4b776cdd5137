import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/local-stack';
import { requestInit } from './request-init';

export type TestStack = LocalStack & {
  /** The DynamoDB Local table of this stack (a second API process may serve the same one). */
  readonly tableName: string;
  readonly adminKey: string;
  readonly relayToken: string;
  readonly nonceSecret: string;
  /** Calls the REST API as the operator; throws with the problem body unless the status is 2xx. */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Like api() but returns the raw Response (to assert error statuses). */
  request(method: string, path: string, body?: unknown, key?: string): Promise<Response>;
};

const secret = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

/**
 * The real local stack for end-to-end tests: the run's DynamoDB Local (its own
 * table per call), the API and the decision on a free port, fresh keys.
 *
 * @example
 * const stack = await startTestStack();
 * const customer = await stack.api('POST', '/v1/customers', { name: 'Acme' });
 * afterAll(() => stack.stop());
 */
export async function startTestStack(): Promise<TestStack> {
  const adminKey = secret('tdm_admin_');
  const relayToken = secret('tdm_relay_');
  const nonceSecret = secret('');
  const tableName = `e2e-${randomBytes(6).toString('hex')}`;
  const stack = await startLocalStack({
    apiPort: 0,
    dynamodb: { endpoint: inject('dynamodbEndpoint') },
    tableName,
    region: 'us-east-1',
    adminKey,
    relayToken,
    nonceSecret,
  });
  const request = (method: string, path: string, body?: unknown, key = adminKey) =>
    fetch(`${stack.apiUrl}${path}`, requestInit(method, key, body));
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await request(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return { ...stack, tableName, adminKey, relayToken, nonceSecret, api, request };
}
