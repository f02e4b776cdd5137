import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { CALLED, CALLING } from './support/basic-call';
import { type BundleRelay, bundleRelays } from './support/bundle-relays';
import { metricSample } from './support/metrics';
import { type SippProcess, type SippResult, startSipp } from './support/sipp';
import { tandemConfig } from './support/tandem-config';

/**
 * Stopping and health with the parts as deployed: the relay bundle under node (its own signals,
 * its JSON log), sipp as IPBX and carriers, the local stack's decision and API.
 */
let stack: TestStack;
let relays: ReturnType<typeof bundleRelays>;
const peers: SippProcess[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  relays = bundleRelays(stack);
});

afterAll(async () => {
  await relays?.killAll();
  for (const peer of peers) await peer.stop();
  await stack?.stop();
});

type Relay = BundleRelay;

const relay = (extra: Record<string, string> = {}): Promise<Relay> => relays.start(extra);

async function sipp(options: Parameters<typeof startSipp>[0]): Promise<SippProcess> {
  const peer = await startSipp(options);
  peers.push(peer);
  return peer;
}

const health = async (r: Relay) => {
  const response = await fetch(`http://127.0.0.1:${r.httpPort}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** Polls `probe` until it holds; a deadline, not a timing assertion. */
async function until(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The relay's JSON log lines so far. */
const logLines = (r: Relay) =>
  r.process
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const expectOk = (result: SippResult) => expect(result.code, result.output).toBe(0);

/** A customer whose IPBXs reach carrier A (answers at once) on +82 and carrier B on +83. */
async function world() {
  const config = tandemConfig(stack);
  const customer = await config.customer();
  const [ipbxA, ipbxB, aPort, bPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  await config.ipbx(customer.id, ipbxA, 'udp');
  await config.ipbx(customer.id, ipbxB, 'udp');
  const a = await config.provider(aPort, 'udp');
  const b = await config.provider(bPort, 'udp');
  await config.route(customer.id, a.id, '+82', 1);
  await config.route(customer.id, b.id, '+83', 1);
  return { ipbxA, ipbxB, aPort, bPort };
}

/** `calls` calls from `ipbxPort` to `service`, each held `holdMs` after the answer, then the caller's BYE. */
const callers = (r: Relay, ipbxPort: number, service: string, calls: number, holdMs: number) =>
  sipp({
    scenario: 'uac-call.xml',
    render: { __HOLD_MS__: String(holdMs) },
    port: ipbxPort,
    transport: 'udp',
    remote: `127.0.0.1:${r.port}`,
    service,
    keys: { caller: CALLING },
    calls,
    rate: 20,
    timeoutS: 40,
  });

describe('relay stop (SIGTERM) and health', () => {
  it('SIGTERM with 20 answered and 5 ringing calls: 503 at once for health and new INVITEs, every call carried to its BYE, then exit 0', async () => {
    const w = await world();
    const r = await relay();
    const answered = 20;
    const ringing = 5;
    const carrierA = await sipp({
      scenario: 'uas-answer.xml',
      port: w.aPort,
      transport: 'udp',
      calls: answered,
      timeoutS: 40,
    });
    const carrierB = await sipp({
      scenario: 'uas-ring-answer.xml',
      render: { __RING_MS__: '5000' },
      port: w.bPort,
      transport: 'udp',
      calls: ringing,
      timeoutS: 40,
    });
    const heldCalls = await callers(r, w.ipbxA, CALLED, answered, 8000);
    const ringingCalls = await callers(r, w.ipbxB, '+831012345678', ringing, 500);
    await until(
      'every call answered or ringing',
      async () =>
        (await metricSample(r.httpPort, 'tandem_relay_dialogs')) === answered &&
        (await metricSample(r.httpPort, 'tandem_relay_calls_in_progress')) === ringing,
    );
    expect((await health(r)).status).toBe(200);

    r.process.child.kill('SIGTERM');
    // kill() only queues the signal: a request already on the wire may be read before the relay's
    // handler runs. Once the relay says it drains, the very first check must be 503 (no retry).
    await r.process.waitFor('"msg":"draining"');
    const first = await health(r);
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ status: 'draining' });

    const late = await sipp({
      scenario: 'uac-expect.xml',
      render: { __CODE__: '503' },
      port: await freePort(),
      transport: 'udp',
      remote: `127.0.0.1:${r.port}`,
      service: CALLED,
      keys: { caller: CALLING },
    });
    expectOk(await late.done);
    expect(logLines(r)).toContainEqual(
      expect.objectContaining({ msg: 'invite refused', code: 503, reason: 'draining' }),
    );

    // Each caller's BYE went through the draining relay and got its 200 (sipp exits 0 only then).
    expectOk(await heldCalls.done);
    expectOk(await ringingCalls.done);
    expectOk(await carrierA.done);
    expectOk(await carrierB.done);
    expect(await r.process.exited).toBe(0);
    const messages = logLines(r).map((l) => l['msg']);
    expect(messages).toContain('drained: every call ended');
    expect(messages.some((m) => String(m).startsWith('drain deadline'))).toBe(false);
    const finals = logLines(r).filter((l) => l['msg'] === 'final' && l['status'] === 200);
    expect(finals).toHaveLength(answered + ringing);
    // At info an answered call writes one line, its `final`: its end is in its CDR (`call ended` is debug).
    for (const final of finals)
      expect(
        logLines(r)
          .filter((l) => l['call_id'] === final['call_id'])
          .map((l) => l['msg']),
      ).toEqual(['final']);
  });

  it('a second SIGTERM ends the drain at once; the deadline ends it too; each names the calls left', async () => {
    for (const how of ['second signal', 'deadline'] as const) {
      const w = await world();
      const r = await relay(how === 'deadline' ? { TANDEM_DRAIN_S: '1' } : {});
      // A call nobody hangs up: both ends wait for a BYE.
      const callee = await sipp({ scenario: 'uas-answer.xml', port: w.aPort, transport: 'udp' });
      const caller = await sipp({
        scenario: 'uac-call-remote-bye.xml',
        port: w.ipbxA,
        transport: 'udp',
        remote: `127.0.0.1:${r.port}`,
        service: CALLED,
        keys: { caller: CALLING },
      });
      await until(
        'the call answered',
        async () => (await metricSample(r.httpPort, 'tandem_relay_dialogs')) === 1,
      );
      r.process.child.kill('SIGTERM');
      await r.process.waitFor('"msg":"draining"');
      if (how === 'second signal') r.process.child.kill('SIGTERM');
      expect(await r.process.exited).toBe(0);
      const end = logLines(r).find((l) => /^drain (ended|deadline):/.test(String(l['msg'])));
      expect(end).toMatchObject({
        level: 'warn',
        msg: how === 'deadline' ? 'drain deadline: 1 calls left' : 'drain ended: 1 calls left',
        calls: 1,
      });
      // No Redis here: the dialog stays in this relay's own journal.
      expect(String(end?.['dialogs'])).toContain('journal');
      await caller.stop();
      await callee.stop();
    }
  });

  it('the decision unreachable (a closed port): /healthz 503 "decision unreachable", 200 again once it answers', async () => {
    const closed = await freePort();
    const r = await relay({ TANDEM_DECIDE_URL: `http://127.0.0.1:${closed}/v1/routing/decide` });
    expect((await health(r)).status).toBe(200);
    await until('health says the decision is unreachable', async () => (await health(r)).status === 503);
    expect((await health(r)).body).toMatchObject({ status: 'unhealthy', reason: 'decision unreachable' });
    expect(await metricSample(r.httpPort, 'tandem_relay_decision_unreachable')).toBe(1);
    expect(logLines(r)).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'decision unreachable' }),
    );

    // The decision answers on that port from now on: the relay's own probe finds it.
    const forward = await forwarder(closed, Number(new URL(stack.decideUrl).port));
    try {
      await until('health is ok again', async () => (await health(r)).status === 200);
      expect((await health(r)).body).toMatchObject({ status: 'ok' });
      expect(logLines(r)).toContainEqual(expect.objectContaining({ msg: 'decision reachable again' }));
    } finally {
      await forward.close();
    }
  });

  it('an answered call past TANDEM_DIALOG_TTL_S: the relay sends a BYE to both ends and logs their answers', async () => {
    const w = await world();
    const r = await relay({ TANDEM_DIALOG_TTL_S: '5', TANDEM_DIALOG_EXPIRY_CHECK_S: '1' });
    // Neither end hangs up: each passes only once it has received a BYE and answered it 200.
    const callee = await sipp({ scenario: 'uas-answer.xml', port: w.aPort, transport: 'udp', timeoutS: 30 });
    const caller = await sipp({
      scenario: 'uac-call-remote-bye.xml',
      port: w.ipbxA,
      transport: 'udp',
      remote: `127.0.0.1:${r.port}`,
      service: CALLED,
      keys: { caller: CALLING },
      timeoutS: 30,
    });
    expectOk(await caller.done);
    expectOk(await callee.done);
    await until(
      'both BYE answers logged',
      async () => logLines(r).filter((l) => l['msg'] === 'expiry bye answered').length === 2,
    );
    const answers = logLines(r).filter((l) => l['msg'] === 'expiry bye answered');
    expect(answers.map((l) => [l['toward'], l['status']]).sort()).toEqual([
      ['callee', 200],
      ['caller', 200],
    ]);
    expect(logLines(r)).toContainEqual(expect.objectContaining({ msg: 'call expired' }));
    expect(await metricSample(r.httpPort, 'tandem_relay_calls_ended_total{by="relay"}')).toBe(1);
    expect(await metricSample(r.httpPort, 'tandem_relay_dialogs')).toBe(0);
  });
});

/** A TCP hop on `port` to `target`: the decision appears on a port that was closed. */
async function forwarder(port: number, target: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
