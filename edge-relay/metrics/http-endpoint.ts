import { createServer } from 'node:http';

export type HttpEndpoint = { readonly port: number; close(): Promise<void> };

/**
 * The relay's small HTTP side for operators: `GET /healthz` (200 serving, 503 draining: a load
 * balancer or keepalived check stops sending calls) and `GET /metrics` (Prometheus). Nothing
 * else; never SIP, never configuration.
 *
 * @example
 * const http = await startHttpEndpoint({ address: '127.0.0.1', port: 9060, draining: () => false, metrics: async () => text });
 */
export async function startHttpEndpoint(options: {
  address: string;
  port: number;
  draining: () => boolean;
  metrics: () => Promise<string>;
}): Promise<HttpEndpoint> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const draining = options.draining();
      response
        .writeHead(draining ? 503 : 200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: draining ? 'draining' : 'ok' }));
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
