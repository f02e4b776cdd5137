import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecideRequest } from '../../contract/decide';
import { createDecisionClient, DecisionUnavailableError } from './decision-client';

const request: DecideRequest = {
  call_id: 'c1',
  source: { ip: '127.0.0.1', port: 5070, transport: 'udp' },
  request_uri: 'sip:+15551230000@relay',
  from: '<sip:1000@pbx>;tag=1',
  to: '<sip:+15551230000@relay>',
  method: 'INVITE',
};
const reject = { action: 'reject', code: 404, reason: 'No Route – é' };

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let server: Server | undefined;
let closeClient: (() => void) | undefined;

/** A throwaway self-signed certificate for 127.0.0.1 (openssl), as PEM strings. */
function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-decide-tls-'));
  try {
    const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat(
        ['-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1'],
        ['-addext', 'subjectAltName=IP:127.0.0.1'],
      ),
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function serve(
  handler: Handler,
  tls?: { cert: string; key: string },
): Promise<{ url: string; connections: () => number; server: Server }> {
  let connections = 0;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => handler(req, res, body));
  };
  const s: Server = tls ? createHttpsServer(tls, listener) : createServer(listener);
  s.on(tls ? 'secureConnection' : 'connection', () => connections++);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  server = s;
  const { port } = s.address() as AddressInfo;
  const scheme = tls ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}/v1/routing/decide`,
    connections: () => connections,
    server: s,
  };
}

function client(
  url: string,
  extra: { timeoutMs?: number; maxSockets?: number; idleMs?: number; ca?: string } = {},
) {
  const c = createDecisionClient({ url, token: 'tdm_relay_x', timeoutMs: extra.timeoutMs ?? 500, ...extra });
  closeClient = () => c.close();
  return c;
}

const json = (res: ServerResponse, status: number, value: unknown) => {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

afterEach(async () => {
  closeClient?.();
  closeClient = undefined;
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

describe('createDecisionClient', () => {
  it('posts the request with the token and reuses one keep-alive connection', async () => {
    const seen: { auth: string | undefined; body: unknown }[] = [];
    const s = await serve((req, res, body) => {
      seen.push({ auth: req.headers.authorization, body: JSON.parse(body) });
      json(res, 200, reject);
    });
    const c = client(s.url);
    for (let i = 0; i < 3; i++) expect(await c.decide(request)).toEqual(reject);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({ auth: 'Bearer tdm_relay_x', body: request });
    expect(s.connections()).toBe(1);
  });

  it('reads chunked answers', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const body = JSON.stringify(reject);
      res.write(body.slice(0, 10));
      setTimeout(() => res.end(body.slice(10)), 5);
    });
    const c = client(s.url);
    expect(await c.decide(request)).toEqual(reject);
    expect(await c.decide(request)).toEqual(reject);
    expect(s.connections()).toBe(1);
  });

  it('speaks https, verifying the certificate: trusted through a private CA, refused without it', async () => {
    const pair = selfSigned();
    const s = await serve((_req, res) => json(res, 200, reject), pair);
    const trusting = client(s.url, { ca: pair.cert });
    expect(await trusting.decide(request)).toEqual(reject);
    expect(await trusting.decide(request)).toEqual(reject);
    expect(s.connections()).toBe(1);
    trusting.close();
    const strict = client(s.url);
    await expect(strict.decide(request)).rejects.toThrow(/decision unreachable.*self.signed/i);
  });

  it('refuses non-2xx, non-JSON and off-contract answers as unavailable', async () => {
    let answer: (res: ServerResponse) => void = (res) => json(res, 500, { title: 'boom' });
    const s = await serve((_req, res) => answer(res));
    const c = client(s.url);
    await expect(c.decide(request)).rejects.toMatchObject({
      name: 'DecisionUnavailableError',
      httpStatus: 500,
    });
    answer = (res) => {
      res.writeHead(200, { 'content-length': 3 });
      res.end('{{{');
    };
    await expect(c.decide(request)).rejects.toThrow(/without JSON/);
    answer = (res) => json(res, 200, { action: 'route', targets: [] });
    await expect(c.decide(request)).rejects.toThrow(/contract/);
  });

  it('gives up at the deadline, and the next call works on a new connection', async () => {
    let slow = true;
    const s = await serve((_req, res) => {
      if (slow) setTimeout(() => json(res, 200, reject), 400).unref();
      else json(res, 200, reject);
    });
    const c = client(s.url, { timeoutMs: 100 });
    const started = Date.now();
    const error = await c.decide(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecisionUnavailableError);
    expect(String(error)).toMatch(/timed out after 100 ms/);
    expect(Date.now() - started).toBeLessThan(350);
    slow = false;
    expect(await c.decide(request)).toEqual(reject);
  });

  it('sends once more on a new connection when a reused one closes before answering', async () => {
    let requests = 0;
    const s = await serve((req, res) => {
      requests++;
      // The second request on the first connection: the server's keep-alive close racing our write.
      if (requests === 2) req.socket.destroy();
      else json(res, 200, reject);
    });
    const c = client(s.url);
    expect(await c.decide(request)).toEqual(reject);
    expect(await c.decide(request)).toEqual(reject);
    expect(requests).toBe(3);
    expect(s.connections()).toBe(2);
  });

  it('does not reuse a connection idle longer than idleMs', async () => {
    const s = await serve((_req, res) => json(res, 200, reject));
    const c = client(s.url, { idleMs: 20 });
    await c.decide(request);
    await new Promise((r) => setTimeout(r, 60));
    await c.decide(request);
    expect(s.connections()).toBe(2);
  });

  it('queues beyond maxSockets', async () => {
    const s = await serve((_req, res) => setTimeout(() => json(res, 200, reject), 10));
    const c = client(s.url, { maxSockets: 2 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => c.decide(request)));
    expect(answers).toHaveLength(10);
    expect(s.connections()).toBe(2);
  });

  it('reports an unreachable decision', async () => {
    const s = await serve(() => {});
    const url = s.url;
    await new Promise((r) => s.server.close(r));
    server = undefined;
    const c = client(url);
    await expect(c.decide(request)).rejects.toThrow(/decision unreachable/);
  });
});
