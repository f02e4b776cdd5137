import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../edge-relay/events';
import type { Relay } from '../../edge-relay/service';
import { startTestStack, type TestStack } from '../support/stack';
import { startTestRelay } from './support/test-relay';
import { udpPeer } from './support/udp-peer';

// Overload control with the real decision: while the relay's event loop runs behind, a new
// INVITE gets a stateless 503 + Retry-After at once (no 100 Trying, no decision); once it keeps up again,
// INVITEs are carried (here: decided, 403 for this unknown source).
let stack: TestStack;
let relay: Relay;
let pbx: Awaited<ReturnType<typeof udpPeer>>;
const outcomes: CallOutcome[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  relay = await startTestRelay(stack, { overloadLagMs: 50 });
  relay.events.on('call', (c) => outcomes.push(c));
  pbx = await udpPeer('127.0.0.1', relay.ports.udp);
});

afterAll(async () => {
  pbx?.close();
  await relay?.stop();
  await stack?.stop();
});

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the relay's event loop (this process's) is held, as by a backlog of messages
  }
};

describe('overload control', () => {
  it('refuses new INVITEs with 503 while the relay runs behind, and carries them again after', async () => {
    pbx.send('INVITE', 'overload-1');
    busy(200); // the INVITE waits in the socket; the monitor's next tick finds 200 ms of lag first
    const refused = await pbx.answers('overload-1');
    // Stateless: one 503, never retransmitted (a transaction would resend it every T1 = 200 ms).
    expect(refused.map((m) => m.split('\r\n')[0])).toEqual(['SIP/2.0 503 Service Unavailable']);
    expect(refused[0]).toMatch(/\r\nRetry-After: \d+\r\n/);

    pbx.send('INVITE', 'overload-2');
    const carried = await pbx.answers('overload-2');
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
