import { getConnInfo as nodeConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { getConnInfo as lambdaConnInfo } from 'hono/aws-lambda';
import { actorOf } from '../audit/build-event';
import type { AuditContext, AuditSource } from '../domain/audit-event';
import { DEFAULT_AUDIT_RETENTION_DAYS } from '../settings/settings';
import { type ApiEnv, principalOf } from './auth';

/** Longest header value kept in an event: a client may send anything. */
const MAX_HEADER = 512;

const header = (c: Context, name: string): string | null => {
  const value = c.req.header(name);
  return value === undefined ? null : value.slice(0, MAX_HEADER);
};

type Env = {
  requestContext?: { requestId?: string; http?: { sourceIp?: string }; identity?: { sourceIp?: string } };
  incoming?: { socket?: { remoteAddress?: string } };
};

/**
 * Where a request came from. `ip` is the address the platform itself saw, never a header: on
 * Lambda API Gateway's `sourceIp` (the connection it accepted), under `npm start` the socket's
 * peer. `X-Forwarded-For` is kept apart as `forwarded_for`: its first hop is whatever the client
 * wrote, so it cannot be the address of record (docs/audit.md).
 */
export function requestSource(c: Context): { source: AuditSource; requestId: string | null } {
  const env = (c.env ?? {}) as Env;
  let ip: string | null = null;
  if (env.requestContext) ip = lambdaConnInfo(c as never).remote.address ?? null;
  else if (env.incoming?.socket) ip = nodeConnInfo(c as never).remote.address ?? null;
  return {
    source: { ip, forwarded_for: header(c, 'x-forwarded-for'), user_agent: header(c, 'user-agent') },
    requestId: env.requestContext?.requestId ?? null,
  };
}

/**
 * What a write of this request records about itself: the caller (the api key that passed
 * `authenticate`), where it came from, and how long its events are kept. Every route that
 * writes passes it to the store (repository writes, rate imports, balance moves).
 *
 * @example
 * await repo.create(body, { audit: auditContextOf(c, deps), authorize });
 */
export function auditContextOf(
  c: Context<ApiEnv>,
  deps: { auditRetentionDays?: number | undefined },
): AuditContext {
  const { source, requestId } = requestSource(c);
  return {
    actor: actorOf(principalOf(c)),
    source,
    request_id: requestId,
    retentionDays: deps.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
  };
}
