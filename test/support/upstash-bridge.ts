import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis as IoRedis } from 'ioredis';

/**
 * Upstash's REST protocol in front of a real redis-server, so `@upstash/redis`
 * is tested against Redis itself: `POST /` with a JSON command array,
 * `POST /pipeline` and `POST /multi-exec` with an array of them, a bearer
 * token, and `Upstash-Encoding: base64` answers (bulk strings base64, `OK`
 * and integers as they are). Errors answer `{ error }` (HTTP 400 for a single
 * command, per entry in a pipeline). `pause()` makes it answer 503, an outage.
 *
 * @example
 * const bridge = await startUpstashBridge({ redisUrl: inject('redisUrl'), token: 't' });
 * const redis = new Redis({ url: bridge.url, token: 't' });
 * await bridge.stop();
 */
export type UpstashBridge = {
  readonly url: string;
  /** Simulated outage: every request fails until resume(). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
};

type Command = (string | number)[];
type Reply = { result: unknown } | { error: string };

function encode(value: unknown, base64: boolean): unknown {
  if (!base64) return value;
  if (typeof value === 'string') return value === 'OK' ? value : Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => encode(v, base64));
  return value;
}

const isCommand = (c: unknown): c is Command =>
  Array.isArray(c) && c.length > 0 && c.every((x) => typeof x === 'string' || typeof x === 'number');

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startUpstashBridge(options: {
  redisUrl: string;
  token: string;
}): Promise<UpstashBridge> {
  const redis = new IoRedis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
  let paused = false;
  const expected = Buffer.from(`Bearer ${options.token}`);

  const run = async (command: Command, base64: boolean): Promise<Reply> => {
    const [name, ...args] = command;
    try {
      return { result: encode(await redis.call(String(name), ...args.map(String)), base64) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };

  const server: Server = createServer(async (req, res) => {
    try {
      if (paused) return send(res, 503, { error: 'bridge paused (simulated outage)' });
      const auth = Buffer.from(req.headers.authorization ?? '');
      if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
        return send(res, 401, { error: 'Unauthorized' });
      }
      if (req.method !== 'POST') return send(res, 405, { error: 'only POST' });
      const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
      const body = await readBody(req);
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/') {
        if (!isCommand(body)) return send(res, 400, { error: 'ERR body must be a command array' });
        const reply = await run(body, base64);
        return send(res, 'error' in reply ? 400 : 200, reply);
      }
      if (!Array.isArray(body) || !body.every(isCommand)) {
        return send(res, 400, { error: 'ERR body must be an array of command arrays' });
      }
      if (path === '/pipeline') {
        const replies: Reply[] = [];
        for (const command of body) replies.push(await run(command, base64));
        return send(res, 200, replies);
      }
      if (path === '/multi-exec') {
        const multi = redis.multi();
        for (const [name, ...args] of body) multi.call(String(name), ...args.map(String));
        const out = (await multi.exec()) ?? [];
        return send(
          res,
          200,
          out.map(([error, result]) =>
            error ? { error: error.message } : { result: encode(result, base64) },
          ),
        );
      }
      return send(res, 404, { error: `unknown path ${path}` });
    } catch (error) {
      return send(res, 500, { error: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
