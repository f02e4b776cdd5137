import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { LiveCalls } from '../../contract/live-calls';

export type HttpEndpoint = { readonly port: number; close(): Promise<void> };

export type HttpEndpointOptions = {
  address: string;
  port: number;
  draining: () => boolean;
  metrics: () => Promise<string>;
  /** Merged into the /healthz body (e.g. `{ cdr: { level, spool_bytes, … } }`). */
  detail?: () => Record<string, unknown>;
  /** A reason to answer 503 besides draining (e.g. `cdr spool full`), or false. */
  unhealthy?: () => string | false;
  /**
   * `GET /calls`: the calls in progress (phone numbers: only with `Authorization: Bearer <token>`,
   * the relay's token to the decision). Absent: 404.
   */
  calls?: { token: string; list: () => Promise<LiveCalls> };
};

const sha = (text: string) => createHash('sha256').update(text).digest();

/** Whether an Authorization header carries `token` (compared in constant time). */
function bearerIs(authorization: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match !== null && timingSafeEqual(sha(match[1]!), expected);
}

/**
 * The relay's small HTTP side for operators: `GET /healthz` (200 serving; 503 draining or
 * unhealthy, e.g. a full CDR spool: a load balancer or keepalived check stops sending calls),
 * `GET /metrics` (Prometheus, unauthenticated like /healthz: counts and provider ids, no numbers
 * and no customer) and `GET /calls` (the calls in progress, with the relay token: they show phone
 * numbers). Nothing else; never SIP, never configuration.
 *
 * @example
 * const http = await startHttpEndpoint({ address: '127.0.0.1', port: 9060, draining: () => false, metrics: async () => text });
 */
export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  // Hashed once: each request hashes only the token it brings.
  const callsToken = options.calls ? sha(options.calls.token) : undefined;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      let answer: { status: number; body: Record<string, unknown> };
      try {
        answer = health(options);
      } catch {
        answer = { status: 500, body: { status: 'error' } };
      }
      const { status, body } = answer;
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    if (path === '/metrics') {
      options.metrics().then(
        (text) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        () => response.writeHead(500).end(),
      );
      return;
    }
    if (path === '/calls' && options.calls && callsToken) {
      if (!bearerIs(request.headers.authorization, callsToken)) {
        response
          .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' })
          .end('{"error":"send Authorization: Bearer <relay token>"}');
        return;
      }
      options.calls.list().then(
        (calls) =>
          response
            .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
            .end(JSON.stringify(calls)),
        () =>
          response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"calls unreadable"}'),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The /healthz answer: draining first (it is what a stopping relay must say), then unhealthy. */
function health(options: HttpEndpointOptions): { status: number; body: Record<string, unknown> } {
  const detail = options.detail?.() ?? {};
  if (options.draining()) return { status: 503, body: { status: 'draining', ...detail } };
  const reason = options.unhealthy?.() ?? false;
  if (reason !== false) return { status: 503, body: { status: 'unhealthy', reason, ...detail } };
  return { status: 200, body: { status: 'ok', ...detail } };
}
