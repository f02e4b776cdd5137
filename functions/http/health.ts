import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createRoute, z } from '@hono/zod-openapi';
// Direct files, not the indexes: the decision Lambda serves /healthz without the CRUD schemas.
import { DEFAULT_CUSTOMER_ID } from '../domain/common';
import type { Store } from '../store/client';
import { keys } from '../store/keys';
import { createRouteGroup } from './route-group';

const health = z.object({ status: z.enum(['ok', 'unavailable']) }).openapi('Health');

/** `GET /healthz`: 200 when the store answers a cheap read within 3 s, 503 otherwise. */
export function healthRoutes(deps: { store: Store }) {
  const group = createRouteGroup();
  group.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['Health'],
      summary: 'Liveness and store reachability',
      responses: {
        200: { description: 'The store answers', content: { 'application/json': { schema: health } } },
        503: {
          description: 'The store does not answer',
          content: { 'application/json': { schema: health } },
        },
      },
    }),
    async (c) => {
      try {
        await deps.store.doc.send(
          new GetCommand({ TableName: deps.store.tableName, Key: keys.version(DEFAULT_CUSTOMER_ID) }),
          { abortSignal: AbortSignal.timeout(3_000) },
        );
        return c.json({ status: 'ok' as const }, 200);
      } catch {
        return c.json({ status: 'unavailable' as const }, 503);
      }
    },
  );
  return group;
}
