import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';

/** Sends OPTIONS over UDP until the proxy answers (any final response), or throws at the deadline. */
export async function waitForSip(port: number, timeoutMs = 15_000): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const local = socket.address().port;
  try {
    const answered = new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        if (/^SIP\/2\.0 [2-6]\d\d/.test(data.toString('latin1'))) resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const callId = randomUUID();
      const options = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${callId.slice(0, 8)}`,
        'Max-Forwards: 70',
        `From: <sip:bench@127.0.0.1:${local}>;tag=${callId.slice(9, 13)}`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: ${callId}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(options, port, '127.0.0.1');
      const ok = await Promise.race([
        answered.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 250)),
      ]);
      if (ok) return;
    }
    throw new Error(`no SIP answer on udp 127.0.0.1:${port} within ${timeoutMs} ms`);
  } finally {
    socket.close();
  }
}
