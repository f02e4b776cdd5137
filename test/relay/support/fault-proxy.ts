import { connect, createServer, type Socket } from 'node:net';

export type FaultMode = 'pass' | 'refuse' | 'hang';
export type FaultProxy = { readonly port: number; set(mode: FaultMode): void; close(): Promise<void> };

/**
 * A TCP hop between the relay and the real decision, to take the decision
 * "down" without touching it: `refuse` closes every connection, `hang`
 * accepts and never answers (the relay's deadline must fire), `pass` relays
 * bytes. Switching mode cuts existing (keep-alive) connections.
 *
 * @example
 * const proxy = await startFaultProxy(new URL(stack.decideUrl).port);
 * proxy.set('hang');
 */
export async function startFaultProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
  let mode: FaultMode = 'pass';
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    if (mode === 'hang') return;
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.pipe(upstream).pipe(client);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    set(next) {
      mode = next;
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
