import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

type Fetch = (request: Request) => Response | Promise<Response>;
export type ApiServer = { readonly url: string; readonly port: number; close(): Promise<void> };

/**
 * Serves a Hono app's fetch handler with @hono/node-server: the same app the
 * Lambda handler wraps. Port 0 picks a free port (tests).
 */
export function serveApi(fetch: Fetch, options: { port: number; hostname?: string }): Promise<ApiServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: options.port, hostname }, (info: AddressInfo) => {
      resolve({
        url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // Keep-alive clients (the relay) would otherwise hold close() open.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
