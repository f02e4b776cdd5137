import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { createServer, isIP, connect as netConnect, type Server, type Socket } from 'node:net';
import {
  createSecureContext,
  createServer as createTlsServer,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import type { TargetTls } from '../../contract/decide';
import type { Transport } from '../../contract/peer';
import type { Remote } from '../sip/remote';
import { bareHost } from '../sip/uri';
import { createStreamFramer } from './stream-framer';

export type { Remote };
export type Destination = {
  transport: Transport;
  host: string;
  port: number;
  /**
   * TLS: how to verify the server if a connection must be opened (a route target's policy, from
   * the decision). Absent: verify the chain with the system CAs and the host name (secure default).
   */
  tls?: TargetTls | undefined;
};

/** An outbound TLS connection whose handshake failed: the certificate (or TLS itself) was refused. */
export type TlsRefusal = { address: string; port: number; servername: string | undefined; reason: string };

export type TransportOptions = {
  address: string;
  udpPort: number;
  tcpPort: number;
  tls?: { certFile: string; keyFile: string; port: number } | undefined;
  onMessage: (raw: string, remote: Remote) => void;
  onError: (message: string, error: unknown) => void;
  /** An outbound TLS connection was refused during its handshake; the sends on it failed. */
  onTlsRefused?: (refusal: TlsRefusal) => void;
  /**
   * Inbound TCP/TLS: at most this many connections per listener, and a new one that sends no
   * complete SIP message (or does not finish its TLS handshake) within `firstMessageMs` is
   * closed: idle connections from scanners must not use up the relay's file descriptors.
   */
  maxConnections?: number;
  firstMessageMs?: number;
};

type Datagram = { to: Remote; bytes: Buffer; onFail: ((error: unknown) => void) | undefined };

export type SipTransport = {
  readonly ports: { udp: number; tcp: number; tls?: number };
  /** Sends one message; `onFail` runs when the destination cannot be reached (connect error, DNS). */
  send(to: Destination, data: string, onFail?: (error: unknown) => void): void;
  /** True when a TCP/TLS connection to that peer is open (a flow we can reuse). */
  hasConnection(to: Destination): boolean;
  /** Closes the TCP/TLS connection of that peer once pending writes are flushed (framing lost). */
  closeConnection(to: Destination): void;
  close(): Promise<void>;
};

/**
 * dgram resolves the address of every datagram sent, through dns.lookup, which answers an IP
 * literal a tick later; the relay only sends to addresses it resolved already, so they go out
 * at once (~3–5 µs of CPU less per datagram, a call sends about seven).
 */
function literalLookup(
  address: string,
  options: number | LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(address);
  if (family) callback(null, address, family);
  else dnsLookup(address, typeof options === 'number' ? { family: options } : options, callback);
}

/**
 * The relay's own sockets: one UDP socket, a TCP server and optionally a TLS
 * server; outbound TCP/TLS connections are reused per peer, inbound ones are
 * registered under the peer's address so responses and in-dialog requests go
 * back on the same connection (RFC 3261 §18.2.2).
 *
 * @example
 * const t = await startTransport({ address: '0.0.0.0', udpPort: 5060, tcpPort: 5060, onMessage, onError });
 */
export async function startTransport(options: TransportOptions): Promise<SipTransport> {
  const connections = new Map<string, Socket>();
  const key = (transport: string, address: string, port: number) =>
    `${transport}|${bareHost(address)}|${port}`;

  const firstMessageMs = options.firstMessageMs ?? 30_000;
  const attach = (
    socket: Socket,
    transport: Transport,
    address: string,
    port: number,
    inbound = false,
    clientCertSha256?: string,
  ) => {
    const id = key(transport, address, port);
    connections.set(id, socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const remote: Remote = clientCertSha256
      ? { transport, address: bareHost(address), port, clientCertSha256 }
      : { transport, address: bareHost(address), port };
    let waiting = inbound;
    if (waiting) {
      socket.setTimeout(firstMessageMs);
      socket.once('timeout', () => {
        if (waiting) socket.destroy();
      });
    }
    const feed = createStreamFramer(
      (raw) => {
        if (waiting) {
          waiting = false;
          socket.setTimeout(0);
        }
        options.onMessage(raw, remote);
      },
      () => socket.destroy(),
    );
    socket.on('data', (chunk: Buffer) => feed(chunk.toString('latin1')));
    socket.on('error', (error) => options.onError(`${transport} connection ${address}:${port}`, error));
    socket.on('close', () => {
      if (connections.get(id) === socket) connections.delete(id);
    });
  };

  // Large socket buffers: a burst of datagrams while the event loop is busy must queue, not drop
  // (the kernel caps them at net.core.rmem_max / wmem_max).
  const bindUdp = async (port: number): Promise<UdpSocket> => {
    const socket = createSocket({
      type: isIP(options.address) === 6 ? 'udp6' : 'udp4',
      lookup: literalLookup,
      reuseAddr: false,
      recvBufferSize: 4 * 1024 * 1024,
      sendBufferSize: 1024 * 1024,
    });
    socket.on('message', (msg, rinfo) =>
      options.onMessage(msg.toString('latin1'), {
        transport: 'udp',
        address: rinfo.address,
        port: rinfo.port,
      }),
    );
    socket.on('error', (error) => options.onError('udp socket', error));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, options.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket;
  };

  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.address, () => {
        server.off('error', reject);
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });

  const tcpServer = createServer((socket) =>
    attach(socket, 'tcp', socket.remoteAddress ?? '', socket.remotePort ?? 0, true),
  );
  tcpServer.maxConnections = options.maxConnections ?? 10_000;
  let udp = await bindUdp(options.udpPort);
  let tcpPort = 0;
  // TCP listens on the UDP port unless told otherwise (one SIP port). Port 0 asks for any free port: the
  // one the kernel gave UDP may have a TCP listener already, and then both move to another.
  for (let attempt = 1; !tcpPort; attempt++) {
    try {
      tcpPort = await listen(tcpServer, options.tcpPort || udp.address().port);
    } catch (error) {
      udp.close();
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!taken || options.udpPort !== 0 || options.tcpPort || attempt >= 10) throw error;
      udp = await bindUdp(0);
    }
  }

  const tlsContext = options.tls
    ? { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }
    : undefined;
  // A client certificate is asked for but not required (rejectUnauthorized: false): peers without
  // one still connect; the decision refuses the calls of a peer whose pins it does not match.
  const tlsServer = tlsContext
    ? createTlsServer(
        { ...tlsContext, handshakeTimeout: firstMessageMs, requestCert: true, rejectUnauthorized: false },
        (socket) =>
          attach(
            socket,
            'tls',
            socket.remoteAddress ?? '',
            socket.remotePort ?? 0,
            true,
            clientCertSha256(socket),
          ),
      )
    : undefined;
  if (tlsServer) tlsServer.maxConnections = options.maxConnections ?? 10_000;
  const tlsPort = tlsServer && options.tls ? await listen(tlsServer, options.tls.port) : undefined;

  // Datagrams wait for the end of the event loop's turn (setImmediate runs after every socket
  // read of the turn), then leave together, in order. Each datagram wakes its receiver, and a
  // woken process (the load generator, a PBX on the same host) often took the relay's core at
  // once, while the relay still had the rest of the turn's messages to handle: sending after
  // them saved 12-20 % of the relay's CPU per call at 2,500-3,250 calls/s, kernel time mostly
  // (docs/performance.md). The decide request (TCP, the decision client) still leaves at once.
  let outbox: Datagram[] = [];
  let flushing: NodeJS.Immediate | undefined;
  const flush = () => {
    flushing = undefined;
    const due = outbox;
    outbox = [];
    for (const { to, bytes, onFail } of due) {
      // Out of the message handler's try now: a datagram dgram refuses (a bad port) must neither
      // stop the others nor the relay.
      try {
        if (onFail)
          udp.send(bytes, to.port, to.address, (error) => {
            if (error) onFail(error);
          });
        else udp.send(bytes, to.port, to.address);
      } catch (error) {
        if (onFail) onFail(error);
        else options.onError(`udp send to ${to.address}:${to.port}`, error);
      }
    }
  };

  // Outbound TLS: the name and trust store each connection was verified against, so a target to
  // verify never rides a connection opened without verification, for another name or other CAs.
  const verifiedAs = new WeakMap<Socket, { name: string; ca: SecureContext | undefined }>();
  // Sends waiting for a new connection to be up (connected, TLS verified): each fails with it.
  const waiting = new WeakMap<Socket, ((error: unknown) => void)[]>();
  // Targets' own CA bundles, parsed once each (the same PEM comes with every call to that peer).
  const caContexts = new Map<string, SecureContext>();
  const caContext = (pem: string): SecureContext => {
    let context = caContexts.get(pem);
    if (!context) {
      if (caContexts.size >= 64) caContexts.clear();
      context = createSecureContext({ ca: pem });
      caContexts.set(pem, context);
    }
    return context;
  };
  const refused = (to: Remote, servername: string | undefined, error: unknown) => {
    const e = error as NodeJS.ErrnoException;
    const reason = e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? error);
    options.onTlsRefused?.({ address: to.address, port: to.port, servername, reason });
  };

  /**
   * A TLS connection to `to` that verifies the chain (system CAs, or `ca`) and the name: SNI and
   * the certificate's DNS names for a host name, its IP SANs for an IP literal (no SNI then).
   */
  const openTls = (
    to: Remote,
    verify: boolean,
    ca: SecureContext | undefined,
    servername: string | undefined,
  ): TLSSocket => {
    const socket = tlsConnect({
      host: to.address,
      port: to.port,
      rejectUnauthorized: verify,
      ...(servername ? { servername } : {}),
      ...(ca ? { secureContext: ca } : {}),
    });
    if (verify) verifiedAs.set(socket, { name: servername ?? to.address, ca });
    let connected = false;
    let secured = false;
    socket.once('connect', () => {
      connected = true;
    });
    socket.once('secureConnect', () => {
      secured = true;
    });
    socket.once('error', (error) => {
      if (connected && !secured) refused(to, servername, error);
    });
    return socket;
  };

  const sendResolved = (
    to: Remote,
    data: string,
    onFail?: (error: unknown) => void,
    policy?: TargetTls,
    servername?: string,
  ) => {
    const bytes = Buffer.from(data, 'latin1');
    if (to.transport === 'udp') {
      outbox.push({ to, bytes, onFail });
      flushing ??= setImmediate(flush);
      return;
    }
    const id = key(to.transport, to.address, to.port);
    let socket = connections.get(id);
    if (socket?.destroyed) socket = undefined;
    let verify = true;
    let ca: SecureContext | undefined;
    if (to.transport === 'tls') {
      verify = policy?.verify ?? true;
      try {
        ca = verify && policy?.ca ? caContext(policy.ca) : undefined;
      } catch (error) {
        refused(to, servername, new Error(`the target's CA bundle is not usable: ${String(error)}`));
        onFail?.(error);
        return;
      }
      // Without a target policy (in-dialog requests, responses) any open connection to the peer
      // does; a target to verify needs one verified for its name against its CAs.
      if (socket && policy?.verify) {
        const as = verifiedAs.get(socket);
        if (as?.name !== (servername ?? to.address) || as.ca !== ca) socket = undefined;
      }
    }
    if (!socket) {
      socket = to.transport === 'tls' ? openTls(to, verify, ca, servername) : netConnect(to.port, to.address);
      attach(socket, to.transport, to.address, to.port);
      const s = socket;
      const fails: ((error: unknown) => void)[] = [];
      waiting.set(s, fails);
      s.once('error', (error) => {
        if (waiting.get(s) !== fails) return;
        waiting.delete(s);
        for (const fail of fails) fail(error);
      });
      s.once(to.transport === 'tls' ? 'secureConnect' : 'connect', () => waiting.delete(s));
    }
    if (onFail) waiting.get(socket)?.push(onFail);
    socket.write(bytes);
  };

  return {
    ports: { udp: udp.address().port, tcp: tcpPort, ...(tlsPort ? { tls: tlsPort } : {}) },
    send(to, data, onFail) {
      const bare = bareHost(to.host);
      if (isIP(bare)) {
        sendResolved({ transport: to.transport, address: bare, port: to.port }, data, onFail, to.tls);
        return;
      }
      // A name is resolved here, so TLS carries it on as the name to verify (SNI, certificate).
      lookup(bare).then(
        ({ address }) =>
          sendResolved({ transport: to.transport, address, port: to.port }, data, onFail, to.tls, bare),
        (error) => onFail?.(error),
      );
    },
    hasConnection(to) {
      const s = connections.get(key(to.transport, to.host, to.port));
      return s !== undefined && !s.destroyed;
    },
    closeConnection(to) {
      connections.get(key(to.transport, to.host, to.port))?.end();
    },
    async close() {
      clearImmediate(flushing);
      flush();
      for (const socket of connections.values()) socket.destroy();
      connections.clear();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcpServer.close(() => r())),
        tlsServer ? new Promise<void>((r) => tlsServer.close(() => r())) : Promise.resolve(),
      ]);
    },
  };
}

/** SHA-256 of the client certificate an inbound TLS peer presented (lowercase hex, no colons). */
function clientCertSha256(socket: TLSSocket): string | undefined {
  const fingerprint: string | undefined = socket.getPeerCertificate().fingerprint256;
  return fingerprint ? fingerprint.replaceAll(':', '').toLowerCase() : undefined;
}
