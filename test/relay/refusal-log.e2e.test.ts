import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../edge-relay/log';
import type { Relay } from '../../edge-relay/service';
import { startTestStack, type TestStack } from '../support/stack';
import { metricSample } from './support/metrics';
import { startTestRelay } from './support/test-relay';
import { udpPeer } from './support/udp-peer';

// Refused INVITEs with the real decision: one info line each, with who sent it and why, at most
// `perSource` per source address and window (then one summary line), all counted in metrics.
let stack: TestStack;
let relay: Relay;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  relay = await startTestRelay(
    stack,
    { http: { address: '127.0.0.1', port: 0 }, refusalLog: { perSource: 2, windowS: 1 } },
    { logger: createLogger('info', (line) => logs.push(JSON.parse(line))) },
  );
});

afterAll(async () => {
  await relay?.stop();
  await stack?.stop();
});

/** What `peer` received for `callId`, once its 403 is there (the first decide may take a while). */
async function refusal(peer: Awaited<ReturnType<typeof udpPeer>>, callId: string): Promise<string[]> {
  let answers = await peer.answers(callId, 100);
  for (let i = 0; i < 40 && !answers.some((m) => m.startsWith('SIP/2.0 403')); i++)
    answers = await peer.answers(callId, 100);
  return answers;
}

const lines = (msg: string) => logs.filter((l) => l['msg'] === msg);
const forCall = (callId: string) => logs.filter((l) => l['call_id'] === callId);

describe('refused INVITEs', () => {
  it('are logged once at info with Call-ID, source, transport, code and reason, and counted', async () => {
    const scanner = await udpPeer('127.0.0.5', relay.ports.udp);
    try {
      scanner.send('INVITE', 'refused-1');
      const answers = await refusal(scanner, 'refused-1');
      expect(answers.map((m) => m.split('\r\n')[0])).toContain('SIP/2.0 403 unknown_source');
      const port = Number(/^Via: SIP\/2\.0\/UDP 127\.0\.0\.5:(\d+)/m.exec(answers[0]!)?.[1]);
      expect(forCall('refused-1')).toEqual([
        expect.objectContaining({
          level: 'info',
          msg: 'invite refused',
          call_id: 'refused-1',
          source: '127.0.0.5',
          port,
          transport: 'udp',
          code: 403,
          reason: 'unknown_source',
        }),
      ]);
      expect(
        await metricSample(relay.httpPort, 'tandem_relay_rejects_total{code="403",reason="unknown_source"}'),
      ).toBe(1);
    } finally {
      scanner.close();
    }
  });

  it('are rate-limited per source: a burst gets perSource lines and one summary with the rest', async () => {
    const scanner = await udpPeer('127.0.0.6', relay.ports.udp);
    const other = await udpPeer('127.0.0.7', relay.ports.udp);
    try {
      const burst = Array.from({ length: 6 }, (_, i) => `burst-${i}`);
      for (const id of burst) scanner.send('INVITE', id);
      other.send('INVITE', 'other-1');
      for (const id of burst) await refusal(scanner, id);
      await refusal(other, 'other-1');
      const refused = lines('invite refused').filter((l) => l['source'] === '127.0.0.6');
      expect(refused).toHaveLength(2);
      // Another source keeps its own budget.
      expect(lines('invite refused').filter((l) => l['source'] === '127.0.0.7')).toHaveLength(1);
      // The window (1 s) closes: the summary line comes with the next sweep.
      for (let i = 0; i < 30 && lines('invite refusals not logged').length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(lines('invite refusals not logged')).toEqual([
        expect.objectContaining({ level: 'info', source: '127.0.0.6', suppressed: 4 }),
      ]);
      // No other line names these calls at info (no 'final' next to the refusal).
      for (const id of burst) expect(forCall(id).filter((l) => l['msg'] !== 'invite refused')).toEqual([]);
      expect(
        await metricSample(relay.httpPort, 'tandem_relay_rejects_total{code="403",reason="unknown_source"}'),
      ).toBe(8);
    } finally {
      scanner.close();
      other.close();
    }
  });

  it('dropped or answered before the decision are logged too: flood ban, scanner, malformed', async () => {
    const guarded: Record<string, unknown>[] = [];
    const strict = await startTestRelay(
      stack,
      {
        http: { address: '127.0.0.1', port: 0 },
        flood: { maxRejects: 1, windowS: 10, banS: 60, dropScanners: true },
      },
      { logger: createLogger('info', (line) => guarded.push(JSON.parse(line))) },
    );
    const flooder = await udpPeer('127.0.0.8', strict.ports.udp);
    const scanner = await udpPeer('127.0.0.9', strict.ports.udp);
    const broken = await udpPeer('127.0.0.10', strict.ports.udp);
    try {
      expect(await flooder.statuses('INVITE', 'ban-1')).toEqual(['100', '403']); // banned from now on
      expect(await flooder.statuses('INVITE', 'ban-2')).toEqual([]);
      expect(await scanner.statuses('INVITE', 'scan-1', ['User-Agent: friendly-scanner'])).toEqual([]);
      expect(await broken.statuses('INVITE', 'bad-1', ['Expires: soon'])).toEqual(['400']);
      const refused = guarded
        .filter((l) => l['msg'] === 'invite refused')
        .map((l) => [l['call_id'], l['source'], l['transport'], l['code'], l['reason']]);
      expect(refused).toEqual([
        ['ban-1', '127.0.0.8', 'udp', 403, 'unknown_source'],
        ['ban-2', '127.0.0.8', 'udp', null, 'flood'],
        ['scan-1', '127.0.0.9', 'udp', null, 'scanner'],
        ['bad-1', '127.0.0.10', 'udp', 400, 'invalid_request'],
      ]);
      const sample = (series: string) =>
        metricSample(strict.httpPort, `tandem_relay_rejects_total{${series}}`);
      expect(await sample('code="none",reason="flood"')).toBe(1);
      expect(await sample('code="none",reason="scanner"')).toBe(1);
      expect(await sample('code="400",reason="invalid_request"')).toBe(1);
    } finally {
      flooder.close();
      scanner.close();
      broken.close();
      await strict.stop();
    }
  });
});
