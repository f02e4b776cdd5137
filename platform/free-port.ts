import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

// The kernel hands a released ephemeral port out again; a port given to one peer of a test must
// not come back for another (two parties on one source), so a process never gets the same one twice.
const issued = new Set<number>();

async function unique(ask: () => Promise<number>): Promise<number> {
  for (let attempt = 0; attempt < 64; attempt++) {
    const port = await ask();
    if (!issued.has(port)) {
      issued.add(port);
      return port;
    }
  }
  throw new Error('no port this process has not handed out already');
}

/** Asks the kernel for a free TCP port on loopback (tests never use fixed ports). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return unique(
    () =>
      new Promise((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, host, () => {
          const address = server.address();
          server.close(() =>
            typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
          );
        });
      }),
  );
}

/** Asks the kernel for a free UDP port on `host` (SIP and rtpengine's ng protocol are UDP). */
export function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  return unique(
    () =>
      new Promise((resolve, reject) => {
        const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
        socket.once('error', reject);
        socket.bind(0, host, () => {
          const { port } = socket.address();
          socket.close(() => resolve(port));
        });
      }),
  );
}
