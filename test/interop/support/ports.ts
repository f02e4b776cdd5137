import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { freePort } from '../../../platform/free-port';

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

async function allFree(base: number, count: number, tcp: boolean): Promise<boolean> {
  for (let p = base; p < base + count; p++) {
    if (!(await udpFree(p))) return false;
    if (tcp && !(await tcpFree(p))) return false;
  }
  return true;
}

/**
 * `count` consecutive ports free on 127.0.0.1 over UDP and TCP, the first one
 * from the kernel's free-port pick: baresip's `sip_listen P` also opens TLS on P+1.
 *
 * @example
 * const sipPort = await freeSipPorts(2);
 */
export async function freeSipPorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    if (base + count <= 65_535 && (await allFree(base, count, true))) return base;
  }
  throw new Error(`no ${count} consecutive free SIP ports`);
}

/**
 * A free block of `count` UDP ports for RTP/RTCP, even-aligned, in 18000-18999:
 * below the kernel's ephemeral range (where freePort() picks SIP ports), apart from
 * the blocks test sipp processes take (10000-17999, test/relay/support/sipp.ts) and
 * the range test rtpengines claim (19000-31999).
 *
 * @example
 * const rtp = await freeMediaBlock(4); // rtp .. rtp + 3
 */
export async function freeMediaBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 18_000 + count * Math.floor(Math.random() * Math.floor(1000 / count));
    if (base % 2 === 0 && (await allFree(base, count, false))) return base;
  }
  throw new Error(`no free block of ${count} media ports`);
}
