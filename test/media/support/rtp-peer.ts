import { createSocket, type Socket } from 'node:dgram';
import { expect } from 'vitest';

export type RtpPacket = {
  payloadType: number;
  sequence: number;
  ssrc: number;
  from: { address: string; port: number };
};

/**
 * A UDP socket standing for one side's media (a phone or a carrier's media
 * gateway): writes its own SDP, sends paced RTP, records what arrives.
 */
export type RtpPeer = {
  readonly port: number;
  readonly received: RtpPacket[];
  sdp(options: { payloadTypes: number[]; origin: string; sessionId?: number }): string;
  send(to: { host: string; port: number }, payloadType: number, count: number): Promise<void>;
  /** An RFC 4733 telephone-event (payload type 101) for `digit`, `packets` long, the last three marked end. */
  sendEvent(to: { host: string; port: number }, digit: number, packets: number): Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<RtpPacket[]>;
  close(): Promise<void>;
};

const RTPMAP: Record<number, string> = { 0: 'PCMU/8000', 8: 'PCMA/8000', 101: 'telephone-event/8000' };

export async function createRtpPeer(host = '127.0.0.1'): Promise<RtpPeer> {
  const socket: Socket = createSocket('udp4');
  const received: RtpPacket[] = [];
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
    const payloadType = msg[1]! & 0x7f;
    if (payloadType >= 72 && payloadType <= 76) return; // RTCP
    received.push({
      payloadType,
      sequence: msg.readUInt16BE(2),
      ssrc: msg.readUInt32BE(8),
      from: { address: rinfo.address, port: rinfo.port },
    });
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const port = socket.address().port;
  const ssrc = (Math.random() * 2 ** 32) >>> 0;
  let sequence = 1;
  let timestamp = 0;

  return {
    port,
    received,
    sdp: ({ payloadTypes, origin, sessionId = 1 }) =>
      [
        'v=0',
        `o=- ${sessionId} 1 IN IP4 ${origin}`,
        's=-',
        `c=IN IP4 ${host}`,
        't=0 0',
        `m=audio ${port} RTP/AVP ${payloadTypes.join(' ')}`,
        ...payloadTypes.map((pt) => `a=rtpmap:${pt} ${RTPMAP[pt]}`),
        ...(payloadTypes.includes(101) ? ['a=fmtp:101 0-16'] : []),
        'a=ptime:20',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    async send(to, payloadType, count) {
      for (let i = 0; i < count; i++) {
        const packet = Buffer.alloc(12 + 160, payloadType === 8 ? 0xd5 : 0xff);
        packet[0] = 0x80;
        packet[1] = payloadType;
        packet.writeUInt16BE(sequence++ & 0xffff, 2);
        packet.writeUInt32BE(timestamp >>> 0, 4);
        packet.writeUInt32BE(ssrc, 8);
        timestamp += 160;
        await new Promise<void>((resolve, reject) =>
          socket.send(packet, to.port, to.host, (error) => (error ? reject(error) : resolve())),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async sendEvent(to, digit, packets) {
      const eventTimestamp = timestamp;
      for (let i = 0; i < packets; i++) {
        const packet = Buffer.alloc(12 + 4);
        packet[0] = 0x80;
        packet[1] = 101 | (i === 0 ? 0x80 : 0);
        packet.writeUInt16BE(sequence++ & 0xffff, 2);
        packet.writeUInt32BE(eventTimestamp >>> 0, 4);
        packet.writeUInt32BE(ssrc, 8);
        packet[12] = digit;
        packet[13] = (i >= packets - 3 ? 0x80 : 0) | 10;
        packet.writeUInt16BE(160 * (i + 1), 14);
        await new Promise<void>((resolve, reject) =>
          socket.send(packet, to.port, to.host, (error) => (error ? reject(error) : resolve())),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      timestamp += 160 * packets;
    },
    async waitFor(count, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return received;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Where an SDP body asks media to go, and with which payload types. */
export function sdpMediaTarget(sdp: string): { host: string; port: number; payloadTypes: number[] } {
  const connection = /^c=IN IP4 (\S+)/m.exec(sdp);
  const media = /^m=audio (\d+) RTP\/AVP ((?:\s?\d+)*)/m.exec(sdp);
  if (!connection || !media) throw new Error(`no audio target in SDP:\n${sdp}`);
  return {
    host: connection[1]!,
    port: Number(media[1]),
    payloadTypes: media[2]!.trim().split(/\s+/).filter(Boolean).map(Number),
  };
}

/**
 * Transcoded media both ways: each side sends 15 packets in its own codec to
 * `towards` (the address in the SDP it was given); each must get at least 10,
 * all in its own payload type (rtpengine translated every one).
 */
export async function expectTranscodedBothWays(
  a: { peer: RtpPeer; towards: { host: string; port: number }; payloadType: number },
  b: { peer: RtpPeer; towards: { host: string; port: number }; payloadType: number },
): Promise<void> {
  await Promise.all([a.peer.send(a.towards, a.payloadType, 15), b.peer.send(b.towards, b.payloadType, 15)]);
  const [atA, atB] = await Promise.all([a.peer.waitFor(10), b.peer.waitFor(10)]);
  expect(atA.length).toBeGreaterThanOrEqual(10);
  expect(atB.length).toBeGreaterThanOrEqual(10);
  expect(new Set(atA.map((p) => p.payloadType))).toEqual(new Set([a.payloadType]));
  expect(new Set(atB.map((p) => p.payloadType))).toEqual(new Set([b.payloadType]));
}
