import type { TestStack } from '../../support/stack';

type Created = { id: string };
export type Transport = 'udp' | 'tcp';

/**
 * Configures Tandem through its REST API the way an operator would: one
 * customer per test, IPBXs and providers on 127.0.0.1 told apart by port
 * (allowed_sources with a port), routes and DIDs.
 */
export function tandemConfig(stack: TestStack) {
  const name = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    customer: () => stack.api<Created>('POST', '/v1/customers', { name: name('customer') }),
    ipbx: (
      customerId: string,
      port: number,
      transport: Transport,
      extra: { credentials?: { username: string; password: string; realm: string } } = {},
    ) =>
      stack.api<Created>('POST', '/v1/ipbxs', {
        customer_id: customerId,
        name: name('ipbx'),
        hostname: '127.0.0.1',
        port,
        transport,
        allowed_sources: [{ cidr: '127.0.0.1', port }],
        ...extra,
      }),
    provider: (
      port: number,
      transport: Transport,
      timers: { provisional_ms: number; final_ms: number } = { provisional_ms: 2000, final_ms: 10_000 },
      credentials?: { username: string; password: string; realm: string },
    ) =>
      stack.api<Created>('POST', '/v1/providers', {
        name: name('provider'),
        hostname: '127.0.0.1',
        port,
        transport,
        allowed_sources: [{ cidr: '127.0.0.1', port }],
        timers,
        ...(credentials ? { credentials } : {}),
      }),
    route: (customerId: string, providerId: string, target: string, priority: number) =>
      stack.api<Created>('POST', '/v1/routes', {
        customer_id: customerId,
        provider_id: providerId,
        target,
        priority,
      }),
    did: (customerId: string, number: string, ipbxId: string) =>
      stack.api<Created>('POST', '/v1/dids', { customer_id: customerId, number, ipbx_id: ipbxId }),
  };
}
