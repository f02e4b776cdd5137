import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relay } from '../../edge-relay/service';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { basicCall, basicWorld, callerOptions } from './support/basic-call';
import { metricSample } from './support/metrics';
import { startSipp } from './support/sipp';
import { startTestRelay } from './support/test-relay';

// The relay's operator side: /healthz for load balancers, /metrics for Prometheus, fed by real calls.
let stack: TestStack;
let relay: Relay;

beforeAll(async () => {
  stack = await startTestStack();
  relay = await startTestRelay(stack, { http: { address: '127.0.0.1', port: 0 } });
});

afterAll(async () => {
  await relay?.stop();
  await stack?.stop();
});

const get = (path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${relay.httpPort}${path}`, init);

const sample = (series: string) => metricSample(relay.httpPort, series);

/** Sends one datagram to the relay and returns the first line of its answer. */
async function datagram(lines: string[]): Promise<string> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const port = socket.address().port;
  const answer = new Promise<string>((r) => socket.once('message', (m) => r(m.toString('latin1'))));
  const text = `${lines.join('\r\n').replaceAll('PORT', String(port))}\r\n\r\n`;
  socket.send(Buffer.from(text, 'latin1'), relay.ports.udp, '127.0.0.1');
  const first = (await answer).split('\r\n')[0] ?? '';
  socket.close();
  return first;
}

describe('relay HTTP endpoint', () => {
  it('counts calls, attempts per provider, hang-ups and post-dial delay from real calls', async () => {
    const world = await basicWorld(stack);
    const before = {
      answered: await sample('tandem_relay_calls_total{code="200"}'),
      forbidden: await sample('tandem_relay_calls_total{code="403"}'),
    };
    const { caller, callee } = await basicCall(relay.ports.udp, world);
    expect(caller.code, caller.output).toBe(0);
    expect(callee.code, callee.output).toBe(0);
    // A source that is no IPBX or provider: the decision rejects it.
    const stranger = await startSipp(
      callerOptions(relay.ports.udp, await freePort(), {
        scenario: 'uac-expect.xml',
        render: { __CODE__: '403' },
      }),
    );
    expect((await stranger.done).code).toBe(0);

    expect(await sample('tandem_relay_calls_total{code="200"}')).toBe(before.answered + 1);
    expect(await sample('tandem_relay_calls_total{code="403"}')).toBe(before.forbidden + 1);
    expect(
      await sample(`tandem_relay_provider_attempts_total{provider="${world.provider.id}",code="200"}`),
    ).toBe(1);
    expect(
      await sample('tandem_relay_attempts_total{target_kind="provider",code="200",cause="response"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(await sample('tandem_relay_calls_ended_total{by="caller"}')).toBeGreaterThanOrEqual(1);
    // uas-answer rings first: the 180 gives the attempt its post-dial delay.
    expect(await sample('tandem_relay_post_dial_delay_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(await sample('tandem_relay_calls_in_progress')).toBe(0);
    expect(await sample('tandem_relay_sip_messages_total{result="accepted"}')).toBeGreaterThanOrEqual(6);
    const text = await (await get('/metrics')).text();
    expect(text).toMatch(/^# TYPE tandem_relay_event_loop_delay_seconds summary$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });

  it('counts what intake refused', async () => {
    const before = await sample('tandem_relay_sip_messages_total{result="replied"}');
    const noCallId = [
      'OPTIONS sip:127.0.0.1 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:PORT;branch=z9hG4bKmetrics1',
      'From: <sip:probe@127.0.0.1>;tag=m1',
      'To: <sip:127.0.0.1>',
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
      'Content-Length: 0',
    ];
    expect(await datagram(noCallId)).toMatch(/^SIP\/2\.0 400 /);
    expect(await sample('tandem_relay_sip_messages_total{result="replied"}')).toBe(before + 1);
  });

  it('does not start when its HTTP port is taken, and leaves its SIP port free', async () => {
    const port = await freePort();
    await expect(
      startTestRelay(stack, { port, http: { address: '127.0.0.1', port: relay.httpPort ?? 0 } }),
    ).rejects.toThrow(/EADDRINUSE/);
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => resolve());
    });
    socket.close();
  });

  it('answers /healthz 200 while serving and 503 once draining; nothing else is served', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/metrics', { method: 'POST' })).status).toBe(405);
    expect((await get('/metrics')).headers.get('content-type')).toBe('text/plain; version=0.0.4');
    await relay.drain();
    const health = await get('/healthz');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'draining', cdr: { level: 'ok' } });
    expect(await sample('tandem_relay_draining')).toBe(1);
  });
});
