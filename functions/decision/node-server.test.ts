import { afterEach, describe, expect, it } from 'vitest';
import type { DecideHandler } from './http/decide-handler';
import { type DecisionServer, serveDecision } from './node-server';

// The handler and the app are stand-ins: this tests the server adapter (routing of requests,
// body, headers, fallback), not the decision (test/decision covers it over this server).
const calls: { authorization: string | undefined; body: string }[] = [];
const handler: DecideHandler = async (authorization, body) => {
  calls.push({ authorization, body });
  if (body === 'fault') throw new Error('store down');
  return {
    status: 200,
    contentType: 'application/json',
    body: '{"action":"reject","code":403,"reason":"x"}',
  };
};
const app = async (request: Request) =>
  new Response(
    JSON.stringify({ via: 'app', path: new URL(request.url).pathname, body: await request.text() }),
    {
      status: 503,
      headers: { 'content-type': 'application/problem+json' },
    },
  );

let server: DecisionServer | undefined;
afterEach(async () => {
  await server?.close();
  calls.length = 0;
});

describe('serveDecision', () => {
  it('answers POST /v1/routing/decide from the handler with the raw body and Authorization', async () => {
    server = await serveDecision(handler, app, { port: 0 });
    const res = await fetch(`${server.url}/v1/routing/decide`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"call_id":"a"}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ action: 'reject', code: 403, reason: 'x' });
    expect(calls).toEqual([{ authorization: 'Bearer t', body: '{"call_id":"a"}' }]);
  });

  it('sends every other request, and a decide whose handler failed, to the app', async () => {
    server = await serveDecision(handler, app, { port: 0 });
    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toMatchObject({ via: 'app', path: '/healthz' });
    const faulted = await fetch(`${server.url}/v1/routing/decide`, { method: 'POST', body: 'fault' });
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('content-type')).toBe('application/problem+json');
    expect(await faulted.json()).toEqual({ via: 'app', path: '/v1/routing/decide', body: 'fault' });
  });

  it('refuses a body far over the contract limits with 413', async () => {
    server = await serveDecision(handler, app, { port: 0 });
    const res = await fetch(`${server.url}/v1/routing/decide`, { method: 'POST', body: 'x'.repeat(300_000) });
    expect(res.status).toBe(413);
    expect(calls).toEqual([]);
  });
});
