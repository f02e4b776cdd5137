import { type RunningProcess, startProcess } from '../../local/child-process';
import { freePort } from '../../platform/free-port';

export type RedisServer = RunningProcess & { readonly url: string; readonly port: number };

/** A real, throwaway redis-server on a free loopback port (no persistence). */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const running = await startProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { readyPort: port, name: 'redis-server' },
  );
  return { ...running, port, url: `redis://127.0.0.1:${port}` };
}
