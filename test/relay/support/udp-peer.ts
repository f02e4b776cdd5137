import { createSocket } from 'node:dgram';

/**
 * A bare UDP SIP peer on `address` (any of 127/8 is loopback, so tests can play several source
 * addresses) that sends out-of-dialog requests to the relay and keeps everything it gets back.
 *
 * @example
 * const pbx = await udpPeer('127.0.0.2', relay.ports.udp);
 * expect(await pbx.statuses('INVITE', 'call-1')).toEqual(['100', '403']);
 */
export async function udpPeer(address: string, relayPort: number) {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, address, () => r()));
  const port = socket.address().port;
  const received: string[] = [];
  socket.on('message', (m) => received.push(m.toString('latin1')));

  function send(method: 'INVITE' | 'OPTIONS' | 'CANCEL', callId: string, extra: string[] = []): void {
    const lines = [
      `${method} sip:+821012345678@127.0.0.1:${relayPort} SIP/2.0`,
      `Via: SIP/2.0/UDP ${address}:${port};branch=z9hG4bK${callId}`,
      `From: <sip:+14155550100@${address}>;tag=${callId}`,
      'To: <sip:+821012345678@127.0.0.1>',
      `Call-ID: ${callId}`,
      `CSeq: 1 ${method}`,
      `Contact: <sip:peer@${address}:${port}>`,
      'Max-Forwards: 70',
      ...extra,
      'Content-Length: 0',
    ];
    socket.send(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), relayPort, '127.0.0.1');
  }

  /** After `waitMs`, every message received for that Call-ID. */
  async function answers(callId: string, waitMs = 600): Promise<string[]> {
    await new Promise((r) => setTimeout(r, waitMs));
    return received.filter((m) => m.includes(`Call-ID: ${callId}\r\n`));
  }

  /** Sends one request; after `waitMs`, the distinct status codes received for it. */
  async function statuses(
    method: 'INVITE' | 'OPTIONS',
    callId: string,
    extra: string[] = [],
    waitMs = 700,
  ): Promise<string[]> {
    send(method, callId, extra);
    const codes = (await answers(callId, waitMs)).map((m) => m.split('\r\n')[0]?.split(' ')[1] ?? '');
    return [...new Set(codes)];
  }

  return { port, send, answers, statuses, close: () => socket.close() };
}
