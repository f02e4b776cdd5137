import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import type { AttemptOutcome, CallEnded } from '../../edge-relay/events';
import type { Relay } from '../../edge-relay/service';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { AUTH_ANSWERED, AUTH_REFUSED } from './support/scenario-parts';
import { type SippOptions, type SippProcess, type SippResult, startSipp } from './support/sipp';
import { type Transport, tandemConfig } from './support/tandem-config';
import { startTestRelay } from './support/test-relay';

// End to end: the real stack (DynamoDB Local + API + decision), the relay, sipp as every peer.
const CALLEE = '+821012345678';
const CALLER = '+14155550100';

let stack: TestStack;
let relay: Relay;
let config: ReturnType<typeof tandemConfig>;
const attempts: AttemptOutcome[] = [];
const ends: CallEnded[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  config = tandemConfig(stack);
  // sipp 3.6 answers only the first challenge and knows only MD5.
  relay = await startTestRelay(stack, { digestAlgorithms: ['MD5', 'SHA-256'] });
  relay.events.on('attempt', (a) => attempts.push(a));
  relay.events.on('call-end', (e) => ends.push(e));
});

afterAll(async () => {
  await relay?.stop();
  await stack?.stop();
});

const relayAddress = () => `127.0.0.1:${relay.ports.udp}`;

function peer(options: SippOptions): Promise<SippProcess> {
  return startSipp(options);
}

/** A UAS that must finish its calls shortly after the caller did. */
async function finished(p: SippProcess, ms = 5000): Promise<SippResult> {
  const timer = new Promise<SippResult>((r) => setTimeout(() => r(p.stop()), ms));
  return Promise.race([p.done, timer]);
}

function expectOk(expect: ExpectStatic, result: SippResult) {
  expect(result.code, result.output).toBe(0);
}

const attemptsFor = (...providerIds: string[]) =>
  attempts.filter((a) => providerIds.includes(a.target_id)).map((a) => `${a.code}:${a.cause}`);

/** Who hung up the calls answered by this target, as the relay saw the BYE (proof of Record-Route). */
const endedBy = (targetId: string) => {
  const calls = new Set(
    attempts.filter((a) => a.target_id === targetId && a.code === 200).map((a) => a.call_id),
  );
  return ends.filter((e) => calls.has(e.call_id)).map((e) => e.by);
};

/** A customer with one IPBX on `port` and providers (in priority order) reached over `transport`. */
async function outboundWorld(
  transport: Transport,
  providers: {
    timers?: { provisional_ms: number; final_ms: number };
    transport?: Transport;
    credentials?: { username: string; password: string; realm: string };
  }[],
  ipbxExtra: Parameters<ReturnType<typeof tandemConfig>['ipbx']>[3] = {},
) {
  const customer = await config.customer();
  const ipbxPort = await freePort();
  await config.ipbx(customer.id, ipbxPort, transport, ipbxExtra);
  const created = [];
  for (const [i, p] of providers.entries()) {
    const port = await freePort();
    const provider = await config.provider(port, p.transport ?? transport, p.timers, p.credentials);
    await config.route(customer.id, provider.id, '+82', i + 1);
    created.push({ id: provider.id, port });
  }
  return { customer, ipbxPort, providers: created };
}

function uac(transport: Transport, port: number, scenario: string, extra: Partial<SippOptions> = {}) {
  return peer({
    scenario,
    port,
    transport,
    remote: relayAddress(),
    service: CALLEE,
    keys: { caller: CALLER },
    ...extra,
  });
}

/** A provider (sipp UAS) that answers every INVITE with `code`. */
function rejecting(transport: Transport, port: number, code: number) {
  return peer({ scenario: 'uas-reject.xml', render: { __CODE__: String(code) }, port, transport });
}

/** The first provider answers `code`, the relay fails over, the second provider answers the call. */
async function expectFailoverOn(expect: ExpectStatic, transport: Transport, code: number) {
  const w = await outboundWorld(transport, [{}, {}]);
  const first = await rejecting(transport, w.providers[0]!.port, code);
  const second = await peer({ scenario: 'uas-answer.xml', port: w.providers[1]!.port, transport });
  expectOk(expect, await (await uac(transport, w.ipbxPort, 'uac-call.xml')).done);
  expectOk(expect, await finished(first));
  expectOk(expect, await finished(second));
  expect(attemptsFor(w.providers[0]!.id, w.providers[1]!.id)).toEqual([`${code}:response`, '200:response']);
}

// Sequential on purpose: a decide already in flight answers from the snapshot it started
// with, so a call placed right after another test's write could see stale config.
describe.each(['udp', 'tcp'] as const)('over %s', (transport) => {
  it('carries a basic call IPBX → provider with Record-Route, BYE from the caller', async ({ expect }) => {
    const w = await outboundWorld(transport, [{}]);
    const uas = await peer({ scenario: 'uas-answer.xml', port: w.providers[0]!.port, transport });
    expectOk(expect, await (await uac(transport, w.ipbxPort, 'uac-call.xml')).done);
    expectOk(expect, await finished(uas));
    expect(attemptsFor(w.providers[0]!.id)).toEqual(['200:response']);
    expect(endedBy(w.providers[0]!.id)).toEqual(['caller']);
  });

  it('carries a basic call, BYE from the callee', async ({ expect }) => {
    const w = await outboundWorld(transport, [{}]);
    const uas = await peer({ scenario: 'uas-answer-bye.xml', port: w.providers[0]!.port, transport });
    expectOk(expect, await (await uac(transport, w.ipbxPort, 'uac-call-remote-bye.xml')).done);
    expectOk(expect, await finished(uas));
    expect(endedBy(w.providers[0]!.id)).toEqual(['callee']);
  });

  it('fails over: first provider 503 → second answers', async ({ expect }) => {
    await expectFailoverOn(expect, transport, 503);
  });
});

describe('over udp', () => {
  const transport = 'udp';

  it('crosses transports: IPBX over UDP → provider over TCP (double Record-Route), BYE both ways', async ({
    expect,
  }) => {
    const w = await outboundWorld(transport, [{ transport: 'tcp' }]);
    const uas = await peer({ scenario: 'uas-answer.xml', port: w.providers[0]!.port, transport: 'tcp' });
    expectOk(expect, await (await uac(transport, w.ipbxPort, 'uac-call.xml')).done);
    expectOk(expect, await finished(uas));
    const w2 = await outboundWorld(transport, [{ transport: 'tcp' }]);
    const uas2 = await peer({
      scenario: 'uas-answer-bye.xml',
      port: w2.providers[0]!.port,
      transport: 'tcp',
    });
    expectOk(expect, await (await uac(transport, w2.ipbxPort, 'uac-call-remote-bye.xml')).done);
    expectOk(expect, await finished(uas2));
    expect(endedBy(w.providers[0]!.id)).toEqual(['caller']);
    expect(endedBy(w2.providers[0]!.id)).toEqual(['callee']);
  });

  it('loose-routes INFO and a re-INVITE inside the dialog (TCP callee, UDP caller)', async ({ expect }) => {
    const w = await outboundWorld(transport, [{ transport: 'tcp' }]);
    const uas = await peer({
      scenario: 'uas-answer-reinvite.xml',
      port: w.providers[0]!.port,
      transport: 'tcp',
    });
    expectOk(expect, await (await uac(transport, w.ipbxPort, 'uac-call-reinvite.xml')).done);
    expectOk(expect, await finished(uas));
    expect(endedBy(w.providers[0]!.id)).toEqual(['caller']);
  });

  it('carries an inbound call provider → DID → IPBX', async ({ expect }) => {
    const customer = await config.customer();
    const ipbxPort = await freePort();
    const ipbx = await config.ipbx(customer.id, ipbxPort, transport);
    const did = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    await config.did(customer.id, did, ipbx.id);
    const providerPort = await freePort();
    await config.provider(providerPort, transport);
    const uas = await peer({ scenario: 'uas-answer.xml', port: ipbxPort, transport });
    expectOk(expect, await (await uac(transport, providerPort, 'uac-call.xml', { service: did })).done);
    expectOk(expect, await finished(uas));
    expect(attempts.filter((a) => a.target_id === ipbx.id).map((a) => a.code)).toEqual([200]);
  });

  it('fails over on 404 to the next provider', async ({ expect }) => {
    await expectFailoverOn(expect, transport, 404);
  });

  it('fails over when the first provider does not answer in time (no provisional)', async ({ expect }) => {
    const w = await outboundWorld(transport, [{ timers: { provisional_ms: 300, final_ms: 5000 } }, {}]);
    // Nothing listens on the first provider's port: the INVITE goes unanswered.
    const second = await peer({ scenario: 'uas-answer.xml', port: w.providers[1]!.port, transport });
    expectOk(expect, await (await uac(transport, w.ipbxPort, 'uac-call.xml')).done);
    expectOk(expect, await finished(second));
    expect(attemptsFor(w.providers[0]!.id, w.providers[1]!.id)).toEqual([
      '408:no-provisional',
      '200:response',
    ]);
  });

  it('CANCELs a provider that rings past its final timer and tries the next (Timer C)', async ({
    expect,
  }) => {
    const w = await outboundWorld(transport, [{ timers: { provisional_ms: 1000, final_ms: 1000 } }, {}]);
    const first = await peer({ scenario: 'uas-ring-cancel.xml', port: w.providers[0]!.port, transport });
    const second = await peer({ scenario: 'uas-answer.xml', port: w.providers[1]!.port, transport });
    expectOk(expect, await (await uac(transport, w.ipbxPort, 'uac-call.xml')).done);
    expectOk(expect, await finished(first));
    expectOk(expect, await finished(second));
    expect(attemptsFor(w.providers[0]!.id, w.providers[1]!.id)).toEqual(['408:no-final', '200:response']);
  });

  it('does not fail over on 486 with the default policy', async ({ expect }) => {
    const w = await outboundWorld(transport, [{}, {}]);
    const first = await rejecting(transport, w.providers[0]!.port, 486);
    expectOk(
      expect,
      await (await uac(transport, w.ipbxPort, 'uac-expect.xml', { render: { __CODE__: '486' } })).done,
    );
    expectOk(expect, await finished(first));
    expect(attemptsFor(w.providers[0]!.id, w.providers[1]!.id)).toEqual(['486:response']);
  });

  it('answers the best response when every provider fails (404 beats 503)', async ({ expect }) => {
    const w = await outboundWorld(transport, [{}, {}]);
    const first = await rejecting(transport, w.providers[0]!.port, 503);
    const second = await rejecting(transport, w.providers[1]!.port, 404);
    expectOk(
      expect,
      await (await uac(transport, w.ipbxPort, 'uac-expect.xml', { render: { __CODE__: '404' } })).done,
    );
    expectOk(expect, await finished(first));
    expectOk(expect, await finished(second));
  });

  it('on the caller CANCEL while the first provider rings: 487, no next attempt', async ({ expect }) => {
    const w = await outboundWorld(transport, [{}, {}]);
    const first = await peer({ scenario: 'uas-ring-cancel.xml', port: w.providers[0]!.port, transport });
    expectOk(expect, await (await uac(transport, w.ipbxPort, 'uac-cancel.xml')).done);
    expectOk(expect, await finished(first));
    await new Promise((r) => setTimeout(r, 200));
    expect(attemptsFor(w.providers[0]!.id, w.providers[1]!.id)).toEqual(['487:cancelled']);
  });

  it('routes an IPBX that answers the 407 with digest credentials', async ({ expect }) => {
    const credentials = { username: 'pbx1', password: 's3cret-pass', realm: `acme-${Date.now()}.example` };
    const w = await outboundWorld(transport, [{}], { credentials });
    const uas = await peer({ scenario: 'uas-answer.xml', port: w.providers[0]!.port, transport });
    const caller = await uac(transport, w.ipbxPort, 'uac-auth.xml', {
      render: { __FINAL__: '200', __AFTER__: AUTH_ANSWERED },
      auth: { username: credentials.username, password: credentials.password },
    });
    expectOk(expect, await caller.done);
    expectOk(expect, await finished(uas));
  });

  it('refuses a wrong digest password with 403', async ({ expect }) => {
    const credentials = { username: 'pbx2', password: 's3cret-pass', realm: `acme-${Date.now()}.example` };
    const w = await outboundWorld(transport, [{}], { credentials });
    const caller = await uac(transport, w.ipbxPort, 'uac-auth.xml', {
      render: { __FINAL__: '403', __AFTER__: AUTH_REFUSED },
      auth: { username: credentials.username, password: 'wrong-password' },
    });
    expectOk(expect, await caller.done);
    expect(attemptsFor(w.providers[0]!.id)).toEqual([]);
  });

  it('answers a provider challenge with the provider credentials (outbound digest from HA1)', async ({
    expect,
  }) => {
    const credentials = { username: 'carrier-user', password: 'carrier-pass', realm: 'carrier.example' };
    const w = await outboundWorld(transport, [{ credentials }]);
    const uas = await peer({ scenario: 'uas-auth.xml', port: w.providers[0]!.port, transport });
    expectOk(expect, await (await uac(transport, w.ipbxPort, 'uac-call.xml')).done);
    expectOk(expect, await finished(uas));
    expect(attemptsFor(w.providers[0]!.id)).toEqual(['200:response']);
  });

  it('refuses an unknown source with 403', async ({ expect }) => {
    const caller = await uac(transport, await freePort(), 'uac-expect.xml', { render: { __CODE__: '403' } });
    expectOk(expect, await caller.done);
  });

  it('answers 404 when the customer has no route', async ({ expect }) => {
    const customer = await config.customer();
    const ipbxPort = await freePort();
    await config.ipbx(customer.id, ipbxPort, transport);
    expectOk(
      expect,
      await (await uac(transport, ipbxPort, 'uac-expect.xml', { render: { __CODE__: '404' } })).done,
    );
  });

  it('answers OPTIONS to the relay itself with 200', async ({ expect }) => {
    const caller = await peer({
      scenario: 'uac-options.xml',
      port: await freePort(),
      transport,
      remote: relayAddress(),
    });
    expectOk(expect, await caller.done);
  });
});
