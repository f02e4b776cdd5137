import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../edge-relay/events';
import type { Relay } from '../../edge-relay/service';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy';
import { startSipp } from './support/sipp';
import { tandemConfig } from './support/tandem-config';
import { startTestRelay } from './support/test-relay';

// The decision behind a TCP hop we can cut: down → 503 within 1 s; back → calls succeed again.
let stack: TestStack;
let proxy: FaultProxy;
let relay: Relay;

beforeAll(async () => {
  stack = await startTestStack();
  const decide = new URL(stack.decideUrl);
  proxy = await startFaultProxy(Number(decide.port));
  relay = await startTestRelay({
    decideUrl: `http://127.0.0.1:${proxy.port}${decide.pathname}`,
    relayToken: stack.relayToken,
  });
});

afterAll(async () => {
  await relay?.stop();
  await proxy?.close();
  await stack?.stop();
});

async function call(port: number, scenario: string, render: Record<string, string> = {}) {
  const sipp = await startSipp({
    scenario,
    render,
    port,
    transport: 'udp',
    remote: `127.0.0.1:${relay.ports.udp}`,
    service: '+821012345678',
    keys: { caller: '+14155550100' },
  });
  return sipp.done;
}

describe('decision down', () => {
  it('answers 503 within 1 s while the decision hangs or refuses, and routes again once it is back', async () => {
    const config = tandemConfig(stack);
    const customer = await config.customer();
    const ipbxPort = await freePort();
    await config.ipbx(customer.id, ipbxPort, 'udp');
    const providerPort = await freePort();
    const provider = await config.provider(providerPort, 'udp');
    await config.route(customer.id, provider.id, '+82', 1);

    const outcomes: CallOutcome[] = [];
    relay.events.on('call', (c) => outcomes.push(c));
    for (const mode of ['hang', 'refuse'] as const) {
      proxy.set(mode);
      const down = await call(ipbxPort, 'uac-expect.xml', { __CODE__: '503' });
      expect(down.code, down.output).toBe(0);
      const outcome = outcomes.at(-1)!;
      expect(outcome.status).toBe(503);
      expect(outcome.ended_at - outcome.received_at).toBeLessThan(1000);
    }

    proxy.set('pass');
    const uas = await startSipp({
      scenario: 'uas-answer.xml',
      port: providerPort,
      transport: 'udp',
    });
    const up = await call(ipbxPort, 'uac-call.xml');
    expect(up.code, up.output).toBe(0);
    expect((await uas.done).code).toBe(0);
  });

  it('drains: new INVITEs get 503 with Retry-After, drain() resolves once nothing is in progress', async () => {
    const config = tandemConfig(stack);
    const customer = await config.customer();
    const ipbxPort = await freePort();
    await config.ipbx(customer.id, ipbxPort, 'udp');
    await relay.drain();
    const refused = await call(ipbxPort, 'uac-expect.xml', { __CODE__: '503' });
    expect(refused.code, refused.output).toBe(0);
  });
});
