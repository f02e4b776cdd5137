import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Relay, startRelay } from '../../edge-relay/service';
import { freePort } from '../../platform/free-port';

// What the relay answers by itself, without asking the decision (the URL points nowhere on purpose).
let relay: Relay;
let socket: Socket;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  relay = await startRelay({
    address: '127.0.0.1',
    port: await freePort(),
    decideUrl: 'http://127.0.0.1:9/v1/routing/decide',
    relayToken: 'never-used-token',
    logLevel: 'silent',
    dataDir: mkdtempSync(join(tmpdir(), 'tandem-relay-local-')),
  });
  socket = createSocket('udp4');
  socket.on('message', (m) => received.push(m.toString('latin1')));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  port = socket.address().port;
});

afterAll(async () => {
  socket?.close();
  await relay?.stop();
});

function request(lines: string[]): string {
  return `${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
}

async function exchange(raw: string, count = 1): Promise<string[]> {
  const start = received.length;
  socket.send(Buffer.from(raw, 'latin1'), relay.ports.udp, '127.0.0.1');
  for (let i = 0; i < 100 && received.length < start + count; i++)
    await new Promise((r) => setTimeout(r, 10));
  return received.slice(start).map((m) => m.split('\r\n')[0]!);
}

const base = (method: string, uri: string, extra: string[] = [], branch = `z9hG4bK${Math.random()}`) => [
  `${method} ${uri} SIP/2.0`,
  `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch}`,
  'From: <sip:a@127.0.0.1>;tag=f1',
  'To: <sip:+821012345678@127.0.0.1>',
  `Call-ID: ${Math.random()}@local`,
  `CSeq: 1 ${method}`,
  ...extra,
];

describe('the relay on its own', () => {
  it('answers OPTIONS addressed to it with 200', async () => {
    expect(
      await exchange(request(base('OPTIONS', `sip:127.0.0.1:${relay.ports.udp}`, ['Max-Forwards: 70']))),
    ).toEqual(['SIP/2.0 200 OK']);
  });

  it('answers 483 to an OPTIONS for someone else with Max-Forwards 0, 200 to one for itself', async () => {
    expect(await exchange(request(base('OPTIONS', 'sip:user@example.com', ['Max-Forwards: 0'])))).toEqual([
      'SIP/2.0 483 Too Many Hops',
    ]);
    expect(
      await exchange(request(base('OPTIONS', `sip:127.0.0.1:${relay.ports.udp}`, ['Max-Forwards: 0']))),
    ).toEqual(['SIP/2.0 200 OK']);
  });

  it('answers an INVITE with Max-Forwards 0 with 483 at once', async () => {
    const lines = await exchange(
      request(base('INVITE', 'sip:+821012345678@127.0.0.1', ['Max-Forwards: 0'])),
      1,
    );
    expect(lines).toEqual(['SIP/2.0 483 Too Many Hops']);
  });

  it('detects a loop: our own Via with this request’s hash → 482', async () => {
    // First pass: the relay forwards nowhere (decision down) but we can build the loop by hand:
    // send an INVITE that already carries a Via the relay would have written for it.
    const { loopHash, newBranch } = await import('../../edge-relay/sip/branch');
    const { parseMessage } = await import('../../edge-relay/sip/message');
    const lines = base('INVITE', 'sip:+821012345678@127.0.0.1', ['Max-Forwards: 69']);
    const parsed = parseMessage(request(lines));
    if (parsed?.type !== 'request') throw new Error('fixture');
    const ownVia = `Via: SIP/2.0/UDP 127.0.0.1:${relay.ports.udp};branch=${newBranch(loopHash(parsed))}`;
    const looped = [lines[0]!, lines[1]!, ownVia, ...lines.slice(2)];
    const answers = await exchange(request(looped), 1);
    expect(answers).toEqual(['SIP/2.0 482 Loop Detected']);
  });

  it('answers 481 to a CANCEL and to a BYE it knows nothing about, 405 to REGISTER', async () => {
    expect(
      await exchange(request(base('CANCEL', 'sip:+821012345678@127.0.0.1', ['Max-Forwards: 70']))),
    ).toEqual(['SIP/2.0 481 Call/Transaction Does Not Exist']);
    const bye = base('BYE', 'sip:+821012345678@127.0.0.1', ['Max-Forwards: 70']).map((l) =>
      l.startsWith('To:') ? `${l};tag=t1` : l,
    );
    expect(await exchange(request(bye))).toEqual(['SIP/2.0 481 Call/Transaction Does Not Exist']);
    expect(await exchange(request(base('REGISTER', 'sip:127.0.0.1', ['Max-Forwards: 70'])))).toEqual([
      'SIP/2.0 405 Method Not Allowed',
    ]);
  });

  it('absorbs a retransmitted request: the same final again, nothing new', async () => {
    const raw = request(
      base('INVITE', 'sip:+821012345678@127.0.0.1', ['Max-Forwards: 0'], 'z9hG4bKretrans1'),
    );
    expect(await exchange(raw)).toEqual(['SIP/2.0 483 Too Many Hops']);
    expect(await exchange(raw)).toEqual(['SIP/2.0 483 Too Many Hops']);
  });

  it('answers 503 with Retry-After within a second when the decision is unreachable', async () => {
    const started = Date.now();
    const lines = await exchange(
      request(base('INVITE', 'sip:+821012345678@127.0.0.1', ['Max-Forwards: 70'])),
      2,
    );
    expect(lines).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 503 Service Unavailable']);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(received.at(-1)).toContain('Retry-After: 5');
  });
});
