import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../edge-relay/log';
import { type Relay, startRelay } from '../../edge-relay/service';
import { freePort } from '../../platform/free-port';

// A starting relay warms its call path (synthetic calls, in memory) and its decision path (probe
// decides) before its ports open; nothing of the synthetic calls leaves the process.
let relay: Relay | undefined;
let decision: Server | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
  await new Promise((r) => (decision ? decision.close(r) : r(undefined)));
  decision = undefined;
});

/** A decision that answers every decide with a refusal of the unknown source, and notes what it got. */
async function refusingDecision(bodies: string[]): Promise<string> {
  decision = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      // Only decides: the relay's provider-health client asks the same API for its targets.
      if (request.method === 'POST' && request.url === '/v1/routing/decide') bodies.push(body);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ action: 'reject', code: 403, reason: 'unknown_source' }));
    });
  });
  await new Promise<void>((r) => decision!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(decision.address() as AddressInfo).port}/v1/routing/decide`;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    statSync(join(dir, f)).isFile(),
  );
}

describe('relay warm-up', () => {
  it('sends warm-up decides before its port answers; the synthetic calls reach no log, spool or metric', async () => {
    const bodies: string[] = [];
    const decideUrl = await refusingDecision(bodies);
    const lines: string[] = [];
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-warm-up-'));
    // Probes the port while the relay starts: nothing may answer before the warm-up decides went out.
    const probe = createSocket('udp4');
    const answeredAfter: number[] = [];
    probe.on('message', () => answeredAfter.push(bodies.length));
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
    let knock = 0;
    const options = () =>
      `OPTIONS sip:127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${probe.address().port};branch=z9hG4bK-warm${knock++}\r\nFrom: <sip:p@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: warm-probe\r\nCSeq: ${knock} OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
    const knocking = setInterval(() => probe.send(options(), port, '127.0.0.1'), 5);
    try {
      relay = await startRelay(
        {
          address: '127.0.0.1',
          port,
          decideUrl,
          relayToken: 'warm-up-test-token',
          logLevel: 'info',
          dataDir,
          warmUpCalls: 300,
          http: { port: await freePort() },
        },
        { logger: createLogger('info', (line) => lines.push(line)) },
      );
      for (let i = 0; i < 200 && answeredAfter.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      clearInterval(knocking);
      probe.close();
    }
    const probes = bodies.map((b) => JSON.parse(b) as { call_id: string });
    expect(probes.length).toBeGreaterThanOrEqual(1);
    expect(probes.every((p) => p.call_id === 'tandem-relay-health-probe')).toBe(true);
    expect(answeredAfter[0]).toBe(probes.length);
    const warmed = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === 'warmed up');
    expect(warmed).toMatchObject({ calls: 300, decides: probes.length });
    // The synthetic calls' Call-IDs end in @127.0.0.1 with a -4242 tag; none reached the log or the spool.
    expect(lines.filter((l) => l.includes('-4242@'))).toEqual([]);
    expect(filesUnder(dataDir).filter((f) => f.includes('cdr-spool'))).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${relay.httpPort}/metrics`)).text();
    expect(metrics).toContain('# TYPE tandem_relay_calls_total counter');
    expect(metrics).not.toMatch(/^tandem_relay_(calls|attempts)_total(\{[^}]*\})? [1-9]/m);
  });

  it('with warmUpCalls 0 it binds without sending a decide', async () => {
    const bodies: string[] = [];
    const decideUrl = await refusingDecision(bodies);
    relay = await startRelay({
      address: '127.0.0.1',
      port: await freePort(),
      decideUrl,
      relayToken: 'warm-up-test-token',
      logLevel: 'silent',
      dataDir: mkdtempSync(join(tmpdir(), 'tandem-warm-up-')),
      warmUpCalls: 0,
    });
    expect(bodies).toEqual([]);
  });
});
