import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
// Direct files, not the store's index: the decision Lambda mounts this without the CRUD schemas.
import { HttpError } from '../store/errors';
import { problemResponse } from './problem';

const sha = (text: string) => createHash('sha256').update(text).digest();

/**
 * The relay's routes (health targets, provider status reports): `Authorization: Bearer <relay
 * token>` or 401 (an api key is not the relay token), 503 while TANDEM_RELAY_TOKEN is unset; the
 * same answers as decide (decide-handler.ts). Runs before the body is read.
 *
 * @example
 * group.get('/v1/routing/health-targets', relayTokenOnly(relayToken, 'health targets'));
 */
export function relayTokenOnly(relayToken: string | undefined, what: string): MiddlewareHandler {
  // Hashed once; comparing digests is constant-time whatever the length sent.
  const expected = relayToken ? sha(relayToken) : undefined;
  return async (c, next) => {
    if (!expected) {
      return problemResponse(
        new HttpError(503, 'Service Unavailable', `${what} is disabled: TANDEM_RELAY_TOKEN is not set`),
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    if (!match || !timingSafeEqual(sha(match[1]!), expected)) {
      return problemResponse(
        new HttpError(401, 'Unauthorized', 'send Authorization: Bearer <relay token> (api keys are refused)'),
      );
    }
    return next();
  };
}
