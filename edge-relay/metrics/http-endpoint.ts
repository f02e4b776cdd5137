import { createServer } from 'node:http';

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
};

/**
 * The relay's small HTTP side for operators: `GET /healthz` (200 serving; 503 draining or
 * unhealthy, e.g. a full CDR spool: a load balancer or keepalived check stops sending calls) and
 * `GET /metrics` (Prometheus). Nothing else; never SIP, never configuration.
 *
 * @example
 * const http = await startHttpEndpoint({ address: '127.0.0.1', port: 9060, draining: () => false, metrics: async () => text });
 */
export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
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
