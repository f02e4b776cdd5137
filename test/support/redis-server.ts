import { type RunningProcess, startProcess } from '../../local/child-process';
import { freePort } from '../../platform/free-port';

export type RedisServer = RunningProcess & { readonly url: string; readonly port: number };

/**
 * A real, throwaway redis-server on loopback (no persistence): on a free port, or on `port` to
 * bring back one a test stopped (an outage: the relays reconnect to the same address).
 */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  port ??= await freePort();
  const running = await startProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { readyPort: port, name: 'redis-server' },
  );
  return { ...running, port, url: `redis://127.0.0.1:${port}` };
}
