import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { tuneHeapForCalls } from '../../platform/heap-tuning';
import { functionsRegistry } from '../metrics/registry';
import type { DecideHandler } from './http/decide-handler';
import { DECIDE_PATH } from './http/lambda-http';

type Fetch = (request: Request) => Response | Promise<Response>;
export type DecisionServer = { readonly url: string; readonly port: number; close(): Promise<void> };

/** Prometheus scrapes here (the Hono app has no such route: Lambda sends the figures as EMF lines). */
const METRICS_PATH = '/metrics';

/** A decide request is a few KB (contract limits); anything far larger is refused before parsing. */
const MAX_BODY_BYTES = 256 * 1024;

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * A node request listener: `POST /v1/routing/decide` goes straight to the
 * decide handler (no Request/Response objects, no router: the relay's hot
 * path), `GET /metrics` to the functions' Prometheus registry (importing it turns recording on;
 * unauthenticated like the relay's: counts by route template, action and reason, never a
 * customer, key or number; docs/metrics.md), every other request, and a decide whose store
 * faulted, to the Hono app (health, errors as problem+json).
 *
 * @example
 * createServer(decisionListener(createDecideHandler(deps), app.fetch)).listen(8080);
 */
export function decisionListener(handle: DecideHandler, fetch: Fetch) {
  const viaApp = getRequestListener(fetch);
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === 'GET' && req.url === METRICS_PATH) {
      functionsRegistry.metrics().then(
        (text) => send(res, 200, functionsRegistry.contentType, text),
        () => send(res, 500, 'text/plain', 'metrics unavailable\n'),
      );
      return;
    }
    if (req.method !== 'POST' || req.url !== DECIDE_PATH) {
      void viaApp(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        const problem = {
          type: 'about:blank',
          title: 'Payload Too Large',
          status: 413,
          detail: 'the request body is too large',
        };
        send(res, 413, 'application/problem+json', JSON.stringify(problem));
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      handle(req.headers.authorization, body).then(
        (reply) => send(res, reply.status, reply.contentType, reply.body),
        // A store fault: the app's error handler answers it (503 when the store is down).
        () =>
          Promise.resolve(
            fetch(
              new Request(`http://${req.headers.host ?? 'localhost'}${DECIDE_PATH}`, {
                method: 'POST',
                headers: req.headers as Record<string, string>,
                body,
              }),
            ),
          )
            .then((response) => sendResponse(res, response))
            .catch(() => res.destroy()),
      );
    });
  };
}

/**
 * Serves the decision on a local node HTTP server (port 0: a free one).
 *
 * @example
 * const server = await serveDecision(createDecideHandler(deps), createDecisionApp({ store, ...deps }).fetch, { port: 0 });
 */
export function serveDecision(
  handle: DecideHandler,
  fetch: Fetch,
  options: { port: number; hostname?: string },
): Promise<DecisionServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  tuneHeapForCalls();
  const server = createServer(decisionListener(handle, fetch));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, hostname, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`,
        port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // Keep-alive clients (the relay) would otherwise hold close() open.
            server.closeAllConnections();
          }),
      });
    });
  });
}
