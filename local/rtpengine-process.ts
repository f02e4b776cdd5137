import { createSocket } from 'node:dgram';
import { accessSync, constants } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createNgClient } from '../edge-relay/media/ng-client';
import type { RtpengineAddress } from '../edge-relay/settings/media-settings';
import { freeUdpPort } from '../platform/free-port';
import { type RunningProcess, startProcess } from './child-process';
import { type BackoffPolicy, supervise } from './supervised-process';

export const RTPENGINE_BINARY = '/usr/bin/rtpengine';

export type RtpengineProcessOptions = {
  binary?: string;
  /** Address rtpengine binds media to and writes into SDP (loopback for tests and the local stack). */
  interfaceAddress?: string;
  /** Size of the RTP port range (two ports per stream: RTP and RTCP). */
  portCount?: number;
  /** Worker threads; rtpengine's default is one per core. */
  threads?: number;
  logLevel?: number;
  /** Run as this user (when we are root): rtpengine needs no privilege in userspace mode. */
  user?: { uid: number; gid: number };
};

export type RtpengineProcess = RunningProcess & {
  readonly address: RtpengineAddress;
  readonly portRange: { min: number; max: number };
};

/**
 * The rtpengine command line: userspace forwarding only (`--table=-1`, no
 * kernel module, works as root and as a normal user), no config file (the
 * Debian one would also open HTTP and CLI ports), calls removed from memory
 * at once on delete (`--delete-delay=0`), so `list` shows exactly the live calls.
 *
 * @example
 * rtpengineArgs({ ngPort: 2223, portMin: 30000, portMax: 30099, interfaceAddress: '127.0.0.1' });
 */
export function rtpengineArgs(options: {
  ngPort: number;
  portMin: number;
  portMax: number;
  interfaceAddress: string;
  threads?: number;
  logLevel?: number;
}): string[] {
  return [
    '--config-file=none',
    '--foreground',
    '--log-stderr',
    '--no-log-timestamps',
    `--log-level=${options.logLevel ?? 5}`,
    '--table=-1',
    `--interface=${options.interfaceAddress}`,
    `--listen-ng=${options.interfaceAddress}:${options.ngPort}`,
    `--port-min=${options.portMin}`,
    `--port-max=${options.portMax}`,
    '--delete-delay=0',
    ...(options.threads ? [`--num-threads=${options.threads}`] : []),
  ];
}

/** Whether the rtpengine binary is installed here (the local stack then anchors media). */
export function rtpengineInstalled(binary = RTPENGINE_BINARY): boolean {
  try {
    accessSync(binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a throwaway userspace rtpengine on a free ng port and an RTP port
 * block no other rtpengine started this way holds, ready once its ng port
 * answers `ping` with `pong`.
 *
 * @example
 * const rtpengine = await startRtpengine();
 * // TANDEM_RTPENGINE=`${rtpengine.address.host}:${rtpengine.address.port}`
 * await rtpengine.stop();
 */
export async function startRtpengine(options: RtpengineProcessOptions = {}): Promise<RtpengineProcess> {
  const launcher = await prepare(options);
  try {
    const running = await launcher.launch();
    return {
      ...running,
      address: launcher.address,
      portRange: launcher.portRange,
      stop: async () => {
        await running.stop();
        await launcher.release();
      },
    };
  } catch (error) {
    await launcher.release();
    throw error;
  }
}

/**
 * rtpengine for `npm start`: restarted when it dies (local/supervised-process.ts) on the same ng
 * port, which the relay keeps sending to, and the same RTP block, still claimed meanwhile. Calls it
 * anchored when it died lose their media; new calls use it again once the relay's probe finds it up.
 *
 * @example
 * const rtpengine = await superviseRtpengine({ log: console.error });
 */
export async function superviseRtpengine(
  options: RtpengineProcessOptions & { log: (line: string) => void; policy?: BackoffPolicy },
): Promise<RtpengineProcess & { readonly restarts: number }> {
  const launcher = await prepare(options);
  const { host, port } = launcher.address;
  const ports = [
    port,
    ...Array.from(
      { length: launcher.portRange.max - launcher.portRange.min + 1 },
      (_, i) => launcher.portRange.min + i,
    ),
  ];
  try {
    const supervised = await supervise({
      name: 'rtpengine',
      start: (signal) => launcher.launch({ signal, ownProcessGroup: true }),
      blocked: async () =>
        (await udpPortsFree(host, ports))
          ? undefined
          : `its ng port ${port} or an RTP port ${launcher.portRange.min}-${launcher.portRange.max} is taken by another process`,
      describe: () => `ng ${host}:${port}`,
      log: options.log,
      ...(options.policy && { policy: options.policy }),
    });
    return {
      address: launcher.address,
      portRange: launcher.portRange,
      get pid() {
        return supervised.pid;
      },
      get restarts() {
        return supervised.restarts;
      },
      stop: async () => {
        await supervised.stop();
        await launcher.release();
      },
    };
  } catch (error) {
    await launcher.release();
    throw error;
  }
}

/** Picks the ng port and claims the RTP block once; `launch` then starts rtpengine on them, as often as needed. */
async function prepare(options: RtpengineProcessOptions) {
  const host = options.interfaceAddress ?? '127.0.0.1';
  const portCount = Math.max(20, Math.min(RANGE_SPAN, options.portCount ?? 100));
  const [ngPort, range] = await Promise.all([freeUdpPort(host), claimPortRange(host, portCount)]);
  const address = { host, port: ngPort };
  const args = rtpengineArgs({
    ngPort,
    portMin: range.min,
    portMax: range.max,
    interfaceAddress: host,
    threads: options.threads,
    logLevel: options.logLevel,
  });
  return {
    address,
    portRange: { min: range.min, max: range.max },
    release: range.release,
    launch: async (extra: { signal?: AbortSignal; ownProcessGroup?: boolean } = {}) => {
      const ng = await createNgClient({ timeoutMs: 200 });
      try {
        return await startProcess(options.binary ?? RTPENGINE_BINARY, args, {
          name: 'rtpengine',
          timeoutMs: 15_000,
          ready: async () => (await ng.send(address, 'ping')).result === 'pong',
          ...(options.user && { uid: options.user.uid, gid: options.user.gid }),
          ...extra,
        });
      } finally {
        ng.close();
      }
    },
  };
}

const RANGE_BASE = 20_000;
const RANGE_SPAN = 12_000;
/** TCP ports that stand for claimed RTP port blocks, one per block (just below RANGE_BASE). */
const CLAIM_BASE = 19_000;

/**
 * A block of RTP ports below Linux's ephemeral range (32768+), so the kernel
 * does not hand them to other sockets meanwhile. rtpengines with overlapping
 * ranges both bind the same ports (seen with 10.5) and take each other's packets,
 * so each block is claimed across processes by holding a TCP listener on
 * CLAIM_BASE + block index until that rtpengine stops.
 */
async function claimPortRange(
  host: string,
  count: number,
): Promise<{ min: number; max: number; release(): Promise<void> }> {
  const blocks = Math.floor(RANGE_SPAN / count);
  const first = Math.floor(Math.random() * blocks);
  for (let i = 0; i < blocks; i++) {
    const block = (first + i) % blocks;
    const claim = await listenTcp(CLAIM_BASE + block);
    if (!claim) continue;
    const release = () => new Promise<void>((resolve) => claim.close(() => resolve()));
    const min = RANGE_BASE + block * count;
    if (
      await udpPortsFree(
        host,
        Array.from({ length: count }, (_, j) => min + j),
      )
    ) {
      return { min, max: min + count - 1, release };
    }
    await release();
  }
  throw new Error(
    `rtpengine: no free block of ${count} RTP ports in ${RANGE_BASE}-${RANGE_BASE + RANGE_SPAN}`,
  );
}

function listenTcp(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    // The listener only holds the port; a connection to it (a port scan, a stray client) is
    // closed at once, so close() never waits for one when the stack stops.
    const server = createServer((socket) => socket.destroy());
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

async function udpPortsFree(host: string, ports: number[]): Promise<boolean> {
  const results = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const socket = createSocket('udp4');
          socket.once('error', () => {
            socket.close();
            resolve(false);
          });
          socket.bind(port, host, () => socket.close(() => resolve(true)));
        }),
    ),
  );
  return results.every(Boolean);
}
