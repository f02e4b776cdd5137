import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../edge-relay/events';
import type { Relay } from '../../edge-relay/service';
import { startTestStack, type TestStack } from '../support/stack';
import { startTestRelay } from './support/test-relay';

// Overload control with the real decision: while the relay's event loop runs behind, a new
// INVITE gets a stateless 503 + Retry-After at once (no 100 Trying, no decision); once it keeps up again,
// INVITEs are carried (here: decided, 403 for this unknown source).
let stack: TestStack;
let relay: Relay;
let socket: Socket;
const received: string[] = [];
const outcomes: CallOutcome[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  relay = await startTestRelay(stack, { overloadLagMs: 50 });
  relay.events.on('call', (c) => outcomes.push(c));
  socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  socket.on('message', (m) => received.push(m.toString('latin1')));
});

afterAll(async () => {
  socket?.close();
  await relay?.stop();
  await stack?.stop();
});

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the relay's event loop (this process's) is held, as by a backlog of messages
  }
};

function invite(callId: string): void {
  const port = socket.address().port;
  const lines = [
    `INVITE sip:+821012345678@127.0.0.1:${relay.ports.udp} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${callId}`,
    `From: <sip:+14155550100@127.0.0.1>;tag=${callId}`,
    'To: <sip:+821012345678@127.0.0.1>',
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:pbx@127.0.0.1:${port}>`,
    'Max-Forwards: 70',
    'Content-Length: 0',
  ];
  socket.send(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), relay.ports.udp, '127.0.0.1');
}

async function answers(callId: string, waitMs = 600) {
  await new Promise((r) => setTimeout(r, waitMs));
  return received.filter((m) => m.includes(`Call-ID: ${callId}\r\n`));
}

describe('overload control', () => {
  it('refuses new INVITEs with 503 while the relay runs behind, and carries them again after', async () => {
    invite('overload-1');
    busy(200); // the INVITE waits in the socket; the monitor's next tick finds 200 ms of lag first
    const refused = await answers('overload-1');
    // Stateless: one 503, never retransmitted (a transaction would resend it every T1 = 200 ms).
    expect(refused.map((m) => m.split('\r\n')[0])).toEqual(['SIP/2.0 503 Service Unavailable']);
    expect(refused[0]).toMatch(/\r\nRetry-After: \d+\r\n/);

    invite('overload-2');
    const carried = await answers('overload-2');
    expect([...new Set(carried.map((m) => m.split('\r\n')[0]))]).toEqual([
      'SIP/2.0 100 Trying',
      'SIP/2.0 403 unknown_source',
    ]);
    expect(outcomes.map((o) => [o.call_id, o.status])).toEqual([
      ['overload-1', 503],
      ['overload-2', 403],
    ]);
  });
});
