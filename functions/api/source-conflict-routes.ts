import { createRoute, z } from '@hono/zod-openapi';
import { id } from '../domain';
import { requireOperator } from '../http/auth';
import { problemResponses } from '../http/problem';
import { bearerSecurity, createRouteGroup } from '../http/route-group';
import { allConflicts, badRequest, listHolders, REASON_TEXT } from '../store';
import { listOf, pageQuery, type RouteDeps } from './resource-routes';

const reasons = [
  'ipbx_of_another_customer',
  'provider_and_ipbx',
  'shared_without_credentials',
  'shared_with_same_credentials',
] as const;

const side = z
  .object({
    kind: z.enum(['ipbx', 'provider']),
    id,
    customer_id: id.nullable().openapi({ description: 'The IPBX’s customer; null for a provider' }),
    field: z.string().openapi({ example: 'allowed_sources.0' }),
    cidr: z.string().openapi({ example: '203.0.113.0/24' }),
    port: z.number().int().nullable().openapi({ description: 'null: any port' }),
  })
  .openapi('SourceConflictSide');

export const sourceConflict = z
  .object({
    /** The wider (or equal) source of the pair. */
    a: side,
    b: side,
    reason: z.enum(reasons),
    detail: z.string(),
  })
  .openapi('SourceConflict');

const invalidToken = () =>
  badRequest('page_token is invalid', [{ field: 'page_token', message: 'is invalid' }]);

function offsetOf(token: string | undefined): number {
  if (!token) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (Number.isInteger(parsed.offset) && (parsed.offset as number) > 0) return parsed.offset as number;
  } catch {}
  throw invalidToken();
}

/**
 * `GET /v1/source-conflicts` (operator only): every pair of stored sources
 * that overlap although they may not (store/sources.ts), e.g. written before
 * the ownership rule. Computed from all IPBXs and providers on each call;
 * pages are slices of that list in a stable order.
 *
 * @example
 * app.all('/v1/source-conflicts/*', lazyGroup('/v1/source-conflicts', () => sourceConflictRoutes(deps)).serve);
 */
export function sourceConflictRoutes(deps: Pick<RouteDeps, 'store'>) {
  const group = createRouteGroup();
  group.openapi(
    createRoute({
      method: 'get',
      path: '/v1/source-conflicts',
      tags: ['Sources'],
      summary: 'List overlapping sources of different owners (operator only)',
      description:
        'Pairs of allowed sources that a write would refuse today: an IPBX source overlapping another customer’s (unless both are shared with distinct digest credentials) or a provider’s. See docs/security.md.',
      security: bearerSecurity,
      request: { query: z.object(pageQuery) },
      responses: {
        200: {
          description: 'A page of conflicting pairs',
          content: { 'application/json': { schema: listOf(sourceConflict, 'SourceConflictList') } },
        },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      requireOperator(c);
      const q = c.req.valid('query');
      const offset = offsetOf(q.page_token);
      const pairs = allConflicts(await listHolders(deps.store));
      const page = pairs.slice(offset, offset + q.page_size);
      const next = offset + page.length;
      return c.json(
        {
          result: page.map((p) => ({ ...p, detail: REASON_TEXT[p.reason] })),
          next_page_token:
            next < pairs.length ? Buffer.from(JSON.stringify({ offset: next })).toString('base64url') : '',
        },
        200,
      );
    },
  );
  return group;
}
