import { createSocket, Socket as UdpSocket } from 'node:dgram';
import { connect, Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../platform/free-port';
import { type Remote, type SipTransport, startTransport } from './sip-transport';

const running: SipTransport[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.close();
});

async function transport(address: string, received: { raw: string; remote: Remote }[]) {
  // UDP and TCP on one port, as the relay runs: a port free for TCP, chosen now.
  const port = await freePort();
  const t = await startTransport({
    address,
    udpPort: port,
    tcpPort: port,
    onMessage: (raw, remote) => received.push({ raw, remote }),
    onError: () => {},
  });
  running.push(t);
  return t;
}

const until = async (done: () => boolean) => {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
};

/** A UDP peer on loopback that keeps what it receives. */
async function udpPeer() {
  const socket = createSocket('udp4');
  const got: string[] = [];
  socket.on('message', (m) => got.push(m.toString('latin1')));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, got, port: socket.address().port };
}

describe('sip transport (UDP)', () => {
  it('sends to an IP address, and to a host name through DNS', async () => {
    const { socket, got, port } = await udpPeer();
    const t = await transport('127.0.0.1', []);
    t.send({ transport: 'udp', host: '127.0.0.1', port }, 'OPTIONS to an address');
    t.send({ transport: 'udp', host: 'localhost', port }, 'OPTIONS to a name');
    await until(() => got.length === 2);
    socket.close();
    expect(got.sort()).toEqual(['OPTIONS to a name', 'OPTIONS to an address']);
  });

  it('sends the datagrams of one turn after it, together and in order', async () => {
    const { socket, got, port } = await udpPeer();
    const t = await transport('127.0.0.1', []);
    const to = { transport: 'udp', host: '127.0.0.1', port } as const;
    // A spy that calls through: it only tells when the socket is asked to send.
    const socketSend = vi.spyOn(UdpSocket.prototype, 'send');
    try {
      for (const n of [1, 2, 3]) t.send(to, `datagram ${n}`);
      expect(socketSend).not.toHaveBeenCalled();
      await new Promise((r) => setImmediate(r));
      expect(socketSend).toHaveBeenCalledTimes(3);
    } finally {
      socketSend.mockRestore();
    }
    await until(() => got.length === 3);
    socket.close();
    expect(got).toEqual(['datagram 1', 'datagram 2', 'datagram 3']);
  });

  it('a datagram the socket refuses (port 0) fails alone: the rest of its turn leaves, the relay goes on', async () => {
    const { socket, got, port } = await udpPeer();
    const t = await transport('127.0.0.1', []);
    const failures: unknown[] = [];
    t.send({ transport: 'udp', host: '127.0.0.1', port: 0 }, 'to nowhere', (error) => failures.push(error));
    t.send({ transport: 'udp', host: '127.0.0.1', port: 0 }, 'to nowhere, no one told');
    t.send({ transport: 'udp', host: '127.0.0.1', port }, 'to the peer');
    await until(() => got.length === 1);
    socket.close();
    expect(got).toEqual(['to the peer']);
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toMatch(/port/i);
  });

  it('close() sends what is still waiting for the end of the turn', async () => {
    const { socket, got, port } = await udpPeer();
    const t = await transport('127.0.0.1', []);
    running.splice(running.indexOf(t), 1);
    t.send({ transport: 'udp', host: '127.0.0.1', port }, 'BYE before the drain ends');
    await t.close();
    await until(() => got.length === 1);
    socket.close();
    expect(got).toEqual(['BYE before the drain ends']);
  });

  it('binds to a host name (TANDEM_SIP_ADDRESS=localhost) and receives on it', async () => {
    const received: { raw: string; remote: Remote }[] = [];
    const t = await transport('localhost', received);
    const peer = createSocket('udp4');
    await new Promise<void>((r) => peer.send('hello', t.ports.udp, '127.0.0.1', () => r()));
    await until(() => received.length === 1);
    peer.close();
    expect(received[0]?.raw).toBe('hello');
    expect(received[0]?.remote).toMatchObject({ transport: 'udp', address: '127.0.0.1' });
  });

  it('port 0: when the free UDP port has a TCP listener already, both move to another free port', async () => {
    const listen = Server.prototype.listen;
    const tried: number[] = [];
    const spy = vi.spyOn(Server.prototype, 'listen').mockImplementation(function (this: Server, ...args) {
      tried.push(args[0] as number);
      if (tried.length > 1) return listen.apply(this, args as Parameters<typeof listen>);
      const taken = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
      process.nextTick(() => this.emit('error', taken));
      return this;
    });
    try {
      const t = await startTransport({
        address: '127.0.0.1',
        udpPort: 0,
        tcpPort: 0,
        onMessage: () => {},
        onError: () => {},
      });
      running.push(t);
      expect(tried).toHaveLength(2);
      expect(t.ports.tcp).toBe(t.ports.udp);
      expect(t.ports.udp).toBe(tried[1]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('sip transport (inbound TCP)', () => {
  const options = (received: string[]) => ({
    address: '127.0.0.1',
    udpPort: 0,
    tcpPort: 0,
    maxConnections: 2,
    firstMessageMs: 150,
    onMessage: (raw: string) => received.push(raw),
    onError: () => {},
  });
  const open = (port: number) =>
    new Promise<Socket>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      socket.on('error', () => {});
    });
  const closed = (socket: Socket) =>
    new Promise<boolean>((resolve) => {
      if (socket.destroyed || socket.readyState === 'closed') resolve(true);
      socket.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 600);
    });

  it('closes a connection that sends no SIP message in time, keeps one that did', async () => {
    const received: string[] = [];
    const t = await startTransport(options(received));
    running.push(t);
    const silent = await open(t.ports.tcp);
    const talking = await open(t.ports.tcp);
    talking.write('OPTIONS sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n');
    expect(await closed(silent)).toBe(true);
    expect(await closed(talking)).toBe(false); // 600 ms, four times the deadline
    expect(received).toHaveLength(1);
    talking.destroy();
  });

  it('accepts no more connections than its limit', async () => {
    const t = await startTransport(options([]));
    running.push(t);
    const sockets = [await open(t.ports.tcp), await open(t.ports.tcp)];
    for (const s of sockets) s.write('OPTIONS sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n');
    const third = await open(t.ports.tcp);
    expect(await closed(third)).toBe(true);
    expect(await Promise.all(sockets.map((s) => closed(s)))).toEqual([false, false]);
    for (const s of sockets) s.destroy();
  });
});
