import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveCall, liveCalls } from '../../contract/live-calls';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { CALLED, CALLING } from './support/basic-call';
import { bundleRelays } from './support/bundle-relays';
import { type SippProcess, startSipp } from './support/sipp';
import { tandemConfig } from './support/tandem-config';

/**
 * `GET /calls` of the relay bundle (node, as deployed) with real calls in progress: sipp as the
 * IPBX and the carriers, the local stack's decision. It shows phone numbers: the relay token only.
 */
let stack: TestStack;
let relays: ReturnType<typeof bundleRelays>;
const peers: SippProcess[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  relays = bundleRelays(stack);
});

afterAll(async () => {
  for (const peer of peers) await peer.stop();
  await relays?.killAll();
  await stack?.stop();
});

async function sipp(options: Parameters<typeof startSipp>[0]): Promise<SippProcess> {
  const peer = await startSipp(options);
  peers.push(peer);
  return peer;
}

/** Polls `probe` until it returns a value; a deadline, not a timing assertion. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('relay GET /calls', () => {
  it('lists an answered call and a ringing one with their ids, numbers and times; 401 without the relay token', async () => {
    const config = tandemConfig(stack);
    const customer = await config.customer();
    const [ipbxPort, secondIpbxPort, answerPort, ringPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const ipbx = await config.ipbx(customer.id, ipbxPort, 'udp');
    // The held call keeps its sipp on the first IPBX's port: the ringing one comes from a second IPBX.
    const secondIpbx = await config.ipbx(customer.id, secondIpbxPort, 'udp');
    const answering = await config.provider(answerPort, 'udp');
    const ringing = await config.provider(ringPort, 'udp', { provisional_ms: 2000, final_ms: 30_000 });
    await config.route(customer.id, answering.id, '+82', 1);
    await config.route(customer.id, ringing.id, '+83', 1);
    const relay = await relays.start();
    const url = `http://127.0.0.1:${relay.httpPort}/calls`;
    const list = async (authorization?: string) =>
      fetch(url, authorization ? { headers: { authorization } } : {});

    // One call answered and held (nobody hangs up until the test stops them), one ringing for 20 s.
    await sipp({ scenario: 'uas-answer.xml', port: answerPort, transport: 'udp' });
    await sipp({
      scenario: 'uac-call-remote-bye.xml',
      port: ipbxPort,
      transport: 'udp',
      remote: `127.0.0.1:${relay.port}`,
      service: CALLED,
      keys: { caller: CALLING },
    });
    await sipp({
      scenario: 'uas-ring-answer.xml',
      render: { __RING_MS__: '20000' },
      port: ringPort,
      transport: 'udp',
    });
    await sipp({
      scenario: 'uac-call.xml',
      render: { __HOLD_MS__: '500' },
      port: secondIpbxPort,
      transport: 'udp',
      remote: `127.0.0.1:${relay.port}`,
      service: '+831012345678',
      keys: { caller: CALLING },
    });

    const calls = await until('one call answered and one ringing', async () => {
      const response = await list(`Bearer ${stack.relayToken}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      const body = liveCalls.parse(await response.json());
      const states = body.calls.map((c) => c.state).sort();
      return states.join() === 'answered,ringing' ? body.calls : undefined;
    });
    const byState = (state: LiveCall['state']) => calls.find((c) => c.state === state)!;
    const answered = byState('answered');
    expect(answered).toMatchObject({
      customer_id: customer.id,
      ipbx_id: ipbx.id,
      provider_id: answering.id,
      from: CALLING,
      to: CALLED,
    });
    expect(answered.call_id).not.toBe('');
    expect(Date.parse(answered.answered_at!)).toBeGreaterThanOrEqual(Date.parse(answered.started_at));
    expect(byState('ringing')).toMatchObject({
      customer_id: customer.id,
      ipbx_id: secondIpbx.id,
      provider_id: ringing.id,
      from: CALLING,
      to: '+831012345678',
      answered_at: null,
    });

    // Phone numbers: nothing without the relay's token, nothing with another one.
    for (const authorization of [undefined, 'Bearer not-the-relay-token', stack.relayToken]) {
      const refused = await list(authorization);
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain(CALLING);
    }
  });
});
