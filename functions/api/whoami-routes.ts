import { createRoute, z } from '@hono/zod-openapi';
import { principalOf } from '../http/auth';
import { problemResponses } from '../http/problem';
import { bearerSecurity, createRouteGroup } from '../http/route-group';

const whoami = z
  .object({
    kind: z.enum(['operator', 'customer']),
    /** The key's customer; null for the operator key. */
    customer_id: z.string().nullable(),
  })
  .openapi('WhoAmI');

/**
 * `GET /v1/whoami`: which kind of key the caller holds (the console shows what that key may do).
 *
 * @example
 * lazyGroup('/v1/whoami', () => whoamiRoutes());
 */
export function whoamiRoutes() {
  const group = createRouteGroup();
  group.openapi(
    createRoute({
      method: 'get',
      path: '/v1/whoami',
      tags: ['Console'],
      summary: 'The kind of key the caller holds',
      security: bearerSecurity,
      responses: {
        200: { description: 'The caller', content: { 'application/json': { schema: whoami } } },
        ...problemResponses(401),
      },
    }),
    (c) => {
      const principal = principalOf(c);
      return c.json(
        principal.kind === 'operator'
          ? { kind: 'operator' as const, customer_id: null }
          : { kind: 'customer' as const, customer_id: principal.customerId },
        200,
      );
    },
  );
  return group;
}
