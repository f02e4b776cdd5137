import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../edge-relay/log';
import type { Relay } from '../../edge-relay/service';
import { startTestStack, type TestStack } from '../support/stack';
import { basicCall, basicWorld, callerOptions } from './support/basic-call';
import { metricSample } from './support/metrics';
import { startSipp } from './support/sipp';
import { startTestRelay } from './support/test-relay';
import { udpPeer } from './support/udp-peer';

// Flood protection with the real decision: a source refused again and again is dropped for a
// while, other sources are not; scanners get no answer at all.
let stack: TestStack;
let relay: Relay;
const logs: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  relay = await startTestRelay(
    stack,
    {
      http: { address: '127.0.0.1', port: 0 },
      flood: { maxRejects: 3, windowS: 10, banS: 2, dropScanners: true },
    },
    { logger: createLogger('info', (line) => logs.push(line)) },
  );
});

afterAll(async () => {
  await relay?.stop();
  await stack?.stop();
});

const sample = (series: string) => metricSample(relay.httpPort, series);

describe('flood protection', () => {
  it('drops a source after repeated 403s, keeps serving others, and lets it back after the ban', async () => {
    const scanner = await udpPeer('127.0.0.2', relay.ports.udp);
    try {
      for (let i = 1; i <= 3; i++)
        expect(await scanner.statuses('INVITE', `flood-${i}`)).toEqual(['100', '403']);
      expect(logs.some((l) => l.includes('"msg":"source banned"') && l.includes('127.0.0.2'))).toBe(true);
      expect(await sample('tandem_relay_banned_sources')).toBe(1);
      // Banned: nothing at all, not even 100 Trying, and nothing reaches the decision.
      expect(await scanner.statuses('INVITE', 'flood-4')).toEqual([]);
      expect(await scanner.statuses('OPTIONS', 'flood-5')).toEqual([]);

      // A configured IPBX on another address places its call meanwhile.
      const { caller, callee } = await basicCall(relay.ports.udp, await basicWorld(stack));
      expect(caller.code, caller.output).toBe(0);
      expect(callee.code, callee.output).toBe(0);

      await new Promise((r) => setTimeout(r, 1500)); // the 2 s ban is over
      expect(await scanner.statuses('INVITE', 'flood-6')).toEqual(['100', '403']);
      expect(await sample('tandem_relay_banned_sources')).toBe(0);
    } finally {
      scanner.close();
    }
  });

  it("never bans a customer for its provider's 403s", async () => {
    const { ipbxPort, providerPort } = await basicWorld(stack);
    const calls = 5; // past maxRejects (3)
    const provider = await startSipp({
      scenario: 'uas-reject.xml',
      render: { __CODE__: '403' },
      port: providerPort,
      transport: 'udp',
      calls,
    });
    const caller = await startSipp(
      callerOptions(relay.ports.udp, ipbxPort, {
        scenario: 'uac-expect.xml',
        render: { __CODE__: '403' },
        calls,
        rate: 10,
      }),
    );
    const result = await caller.done;
    expect(result.code, result.output).toBe(0); // every call got the provider's 403
    expect((await provider.done).code).toBe(0);
    expect(logs.filter((l) => l.includes('"msg":"source banned"') && l.includes('"127.0.0.1"'))).toEqual([]);
  });

  it('answers no request of a scanner user agent, and the same request without it', async () => {
    const probe = await udpPeer('127.0.0.3', relay.ports.udp);
    try {
      expect(await probe.statuses('OPTIONS', 'scan-1', ['User-Agent: friendly-scanner'], 400)).toEqual([]);
      expect(await probe.statuses('OPTIONS', 'scan-2', ['User-Agent: Asterisk PBX 20.5.0'], 400)).toEqual([
        '200',
      ]);
    } finally {
      probe.close();
    }
  });
});
