import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RtpengineAnchor } from '../../edge-relay/media/rtpengine-anchor';
import { createRtpengineAnchor } from '../../edge-relay/media/rtpengine-anchor';
import type { Relay } from '../../edge-relay/service';
import { seededRandom } from '../../functions/decision/engine/random';
import { tandemConfig } from '../relay/support/tandem-config';
import { startTestRelay } from '../relay/support/test-relay';
import { startTestStack, type TestStack } from '../support/stack';
import { createRtpPeer, expectTranscodedBothWays, type RtpPeer, sdpMediaTarget } from './support/rtp-peer';
import { type RtpengineFixture, startRtpengines, unreachableAddress } from './support/rtpengine-fixture';
import {
  byeFromCallee,
  createSipPeer,
  nextRequest,
  placeCall,
  requestFromCallee,
  type SipMessage,
  type SipPeer,
  sipHeader,
} from './support/sip-peer';

// Media anchoring end to end: scripted IPBX and providers (UDP SIP + UDP RTP sockets) → the real relay
// (decision on the real local stack) → a real rtpengine, whose own query/list prove what happened.

let stack: TestStack;
let rtpengine: RtpengineFixture;
let anchor: RtpengineAnchor;
let relay: Relay;
let ipbx: SipPeer;
/** Providers by role: each a SIP socket on its own port (the relay tells providers apart by port). */
let providers: Record<
  'plain' | 'failing' | 'silent' | 'backup' | 'pcma' | 'a' | 'b',
  { sip: SipPeer; id: string }
>;
let peers: RtpPeer[] = [];
let relayAt: { host: string; port: number };

const newPeer = async () => {
  const peer = await createRtpPeer();
  peers.push(peer);
  return peer;
};

beforeAll(async () => {
  [stack, rtpengine] = await Promise.all([startTestStack(), startRtpengines(1)]);
  anchor = await createRtpengineAnchor({
    instances: [rtpengine.instances[0]!.address],
    failurePolicy: 'unanchored',
  });
  relay = await startTestRelay(stack, {}, { media: anchor });
  relayAt = { host: '127.0.0.1', port: relay.ports.udp };
  const config = tandemConfig(stack);
  const customer = await config.customer();
  ipbx = await createSipPeer();
  await config.ipbx(customer.id, ipbx.port, 'udp');
  const provider = async (name: string, extra: Record<string, unknown> = {}) => {
    const sip = await createSipPeer();
    const created = await stack.api<{ id: string }>('POST', '/v1/providers', {
      name: `${name}-${Math.random().toString(36).slice(2, 8)}`,
      hostname: '127.0.0.1',
      port: sip.port,
      transport: 'udp',
      allowed_sources: [{ cidr: '127.0.0.1', port: sip.port }],
      timers: { provisional_ms: 2000, final_ms: 10_000 },
      media_anchor: true,
      ...extra,
    });
    return { sip, id: created.id };
  };
  providers = {
    plain: await provider('plain'),
    failing: await provider('failing'),
    // Never answers: the relay gives up on it after provisional_ms and tries the next target.
    silent: await provider('silent', { timers: { provisional_ms: 300, final_ms: 2000 } }),
    backup: await provider('backup'),
    pcma: await provider('pcma', { codecs: { allow: ['PCMA'], transcode: ['PCMA'] } }),
    a: await provider('a'),
    b: await provider('b'),
  };
  await config.route(customer.id, providers.plain.id, '+31', 1);
  await config.route(customer.id, providers.failing.id, '+32', 1);
  await config.route(customer.id, providers.backup.id, '+32', 2);
  await config.route(customer.id, providers.silent.id, '+33', 1);
  await config.route(customer.id, providers.backup.id, '+33', 2);
  await config.route(customer.id, providers.pcma.id, '+34', 1);
  await config.route(customer.id, providers.a.id, '+35', 1);
  await config.route(customer.id, providers.b.id, '+35', 2);
});

afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
  // The relay deletes asynchronously after the final response / BYE: give it a moment.
  await waitNoCalls();
  await rtpengine.expectNoCalls();
});

afterAll(async () => {
  await relay?.stop();
  await anchor?.close();
  await Promise.all([ipbx?.close(), ...Object.values(providers ?? {}).map((p) => p.sip.close())]);
  await rtpengine?.stop();
  await stack?.stop();
});

async function waitNoCalls(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await rtpengine.calls(rtpengine.instances[0]!.address)).length === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const inRange = (port: number) =>
  port >= rtpengine.instances[0]!.portRange.min && port <= rtpengine.instances[0]!.portRange.max;

/** A provider answering an INVITE it received: 100 at once, then 200 with its SDP. */
function answer(provider: SipPeer, invite: SipMessage, sdp: string, toTag = 'callee', to = relayAt): void {
  provider.reply(invite, 100, { to });
  provider.reply(invite, 200, { to, toTag, sdp });
}

/** The callee side of a hang-up from the caller: the provider answers the BYE the relay forwards. */
async function answerBye(provider: SipPeer, callId: string, to = relayAt): Promise<void> {
  const bye = await nextRequest(provider, 'BYE', callId);
  provider.reply(bye, 200, { to });
}

describe('media anchoring through the relay', () => {
  it('anchors a call: each side sees only rtpengine, RTP flows both ways and rtpengine counts it', async () => {
    const [phone, carrier] = [await newPeer(), await newPeer()];
    const call = placeCall(ipbx, relayAt, {
      service: '+31201234567',
      sdp: phone.sdp({ payloadTypes: [0, 101], origin: '192.0.2.10' }),
    });
    const invite = await nextRequest(providers.plain.sip, 'INVITE', call.callId);
    expect(invite.body).not.toContain('192.0.2.10');
    const towardsCarrier = sdpMediaTarget(invite.body);
    expect(inRange(towardsCarrier.port)).toBe(true);
    answer(providers.plain.sip, invite, carrier.sdp({ payloadTypes: [0, 101], origin: '198.51.100.20' }));
    const ok = await call.final();
    expect(ok.status).toBe(200);
    expect(ok.body).not.toContain('198.51.100.20');
    const towardsPhone = sdpMediaTarget(ok.body);
    expect(inRange(towardsPhone.port)).toBe(true);
    await nextRequest(providers.plain.sip, 'ACK', call.callId);

    await Promise.all([phone.send(towardsPhone, 0, 10), carrier.send(towardsCarrier, 0, 10)]);
    const [atCarrier, atPhone] = await Promise.all([carrier.waitFor(10), phone.waitFor(10)]);
    expect(atCarrier).toHaveLength(10);
    expect(atPhone).toHaveLength(10);
    // Each side gets media from rtpengine, never from the other side's own socket.
    expect(atCarrier.every((p) => p.from.port === towardsCarrier.port)).toBe(true);
    expect(atPhone.every((p) => p.from.port === towardsPhone.port)).toBe(true);
    const stats = await anchor.query(call.callId);
    expect(stats?.rtp.packets).toBeGreaterThanOrEqual(20);

    const [bye] = await Promise.all([call.bye(), answerBye(providers.plain.sip, call.callId)]);
    expect(bye.status).toBe(200);
    await waitNoCalls();
    expect(await anchor.query(call.callId)).toBeNull();
  });

  it('fails over: the 503 attempt’s media branch is released, the answered attempt carries media', async () => {
    const [phone, failed, backup] = [await newPeer(), await newPeer(), await newPeer()];
    const call = placeCall(ipbx, relayAt, {
      service: '+32201234567',
      sdp: phone.sdp({ payloadTypes: [0, 101], origin: '192.0.2.10' }),
    });
    const first = await nextRequest(providers.failing.sip, 'INVITE', call.callId);
    const firstPort = sdpMediaTarget(first.body).port;
    expect(inRange(firstPort)).toBe(true);
    providers.failing.sip.reply(first, 100, { to: relayAt });
    providers.failing.sip.reply(first, 503, { to: relayAt, toTag: 'failed' });
    await nextRequest(providers.failing.sip, 'ACK', call.callId);

    const second = await nextRequest(providers.backup.sip, 'INVITE', call.callId);
    const towardsBackup = sdpMediaTarget(second.body);
    expect(inRange(towardsBackup.port)).toBe(true);
    expect(towardsBackup.port).not.toBe(firstPort);
    answer(providers.backup.sip, second, backup.sdp({ payloadTypes: [0, 101], origin: '203.0.113.2' }));
    const ok = await call.final();
    expect(ok.status).toBe(200);
    const towardsPhone = sdpMediaTarget(ok.body);

    // The first attempt's rtpengine port is gone from the call.
    const raw = JSON.stringify((await anchor.query(call.callId))?.raw);
    expect(raw).not.toContain(`"local port":${firstPort},`);
    expect(raw).toContain(`"local port":${towardsBackup.port},`);

    // Media towards the dead attempt's port goes nowhere; the answered attempt carries it.
    await Promise.all([
      phone.send(towardsPhone, 0, 8),
      backup.send(towardsBackup, 0, 8),
      failed.send({ host: '127.0.0.1', port: firstPort }, 0, 3),
    ]);
    expect(await backup.waitFor(8)).toHaveLength(8);
    expect(await phone.waitFor(8)).toHaveLength(8);
    expect(failed.received).toHaveLength(0);
    expect((await anchor.query(call.callId))?.rtp.packets).toBeGreaterThanOrEqual(16);

    // This time the provider hangs up.
    const [bye] = await Promise.all([
      byeFromCallee(providers.backup.sip, relayAt, second, 'callee'),
      nextRequest(ipbx, 'BYE', call.callId).then((b) => ipbx.reply(b, 200, { to: relayAt })),
    ]);
    expect(bye.status).toBe(200);
  });

  it('re-anchors a re-INVITE from the provider: media follows its new address, through rtpengine', async () => {
    const [phone, carrier, carrierMoved] = [await newPeer(), await newPeer(), await newPeer()];
    const call = placeCall(ipbx, relayAt, {
      service: '+31201234567',
      sdp: phone.sdp({ payloadTypes: [0], origin: '192.0.2.10' }),
    });
    const invite = await nextRequest(providers.plain.sip, 'INVITE', call.callId);
    answer(providers.plain.sip, invite, carrier.sdp({ payloadTypes: [0], origin: '198.51.100.20' }));
    await call.final();

    // The provider moves its media: its re-INVITE reaches the IPBX with rtpengine's address only.
    const reinvite = requestFromCallee(providers.plain.sip, relayAt, invite, {
      method: 'INVITE',
      toTag: 'callee',
      cseq: 2,
      sdp: carrierMoved.sdp({ payloadTypes: [0], origin: '198.51.100.20', sessionId: 2 }),
    });
    const offer = await nextRequest(ipbx, 'INVITE', call.callId);
    expect(offer.body).not.toContain('198.51.100.20');
    const towardsCarrier = sdpMediaTarget(offer.body);
    expect(inRange(towardsCarrier.port)).toBe(true);
    ipbx.reply(offer, 200, {
      to: relayAt,
      sdp: phone.sdp({ payloadTypes: [0], origin: '192.0.2.10', sessionId: 2 }),
    });
    const reanswered = await reinvite;
    expect(reanswered.status).toBe(200);
    expect(reanswered.body).not.toContain('192.0.2.10');
    const towardsPhone = sdpMediaTarget(reanswered.body);
    expect(inRange(towardsPhone.port)).toBe(true);
    await nextRequest(ipbx, 'ACK', call.callId);

    await Promise.all([phone.send(towardsCarrier, 0, 6), carrierMoved.send(towardsPhone, 0, 6)]);
    expect(await carrierMoved.waitFor(6)).toHaveLength(6);
    expect(await phone.waitFor(6)).toHaveLength(6);
    expect(carrier.received).toHaveLength(0);

    await Promise.all([call.bye(), answerBye(providers.plain.sip, call.callId)]);
  });

  it('fails over on a provider that never answers: the abandoned attempt’s media is released too', async () => {
    const [phone, backup] = [await newPeer(), await newPeer()];
    const call = placeCall(ipbx, relayAt, {
      service: '+33201234567',
      sdp: phone.sdp({ payloadTypes: [0], origin: '192.0.2.10' }),
    });
    const first = await nextRequest(providers.silent.sip, 'INVITE', call.callId);
    const firstPort = sdpMediaTarget(first.body).port;
    expect(inRange(firstPort)).toBe(true);
    const second = await nextRequest(providers.backup.sip, 'INVITE', call.callId);
    const towardsBackup = sdpMediaTarget(second.body);
    answer(providers.backup.sip, second, backup.sdp({ payloadTypes: [0], origin: '203.0.113.2' }));
    const ok = await call.final();
    expect(ok.status).toBe(200);
    expect(JSON.stringify((await anchor.query(call.callId))?.raw)).not.toContain(
      `"local port":${firstPort},`,
    );
    await Promise.all([phone.send(sdpMediaTarget(ok.body), 0, 5), backup.send(towardsBackup, 0, 5)]);
    expect(await backup.waitFor(5)).toHaveLength(5);
    expect(await phone.waitFor(5)).toHaveLength(5);
    await Promise.all([call.bye(), answerBye(providers.backup.sip, call.callId)]);
  });

  it('transcodes PCMU on the IPBX side to PCMA for a PCMA-only provider', async () => {
    const [phone, carrier] = [await newPeer(), await newPeer()];
    const call = placeCall(ipbx, relayAt, {
      service: '+34201234567',
      sdp: phone.sdp({ payloadTypes: [0, 101], origin: '192.0.2.10' }),
    });
    const invite = await nextRequest(providers.pcma.sip, 'INVITE', call.callId);
    const towardsCarrier = sdpMediaTarget(invite.body);
    expect(towardsCarrier.payloadTypes).toEqual([8, 101]);
    answer(providers.pcma.sip, invite, carrier.sdp({ payloadTypes: [8, 101], origin: '198.51.100.20' }));
    const ok = await call.final();
    const towardsPhone = sdpMediaTarget(ok.body);
    expect(towardsPhone.payloadTypes[0]).toBe(0);

    await expectTranscodedBothWays(
      { peer: phone, towards: towardsPhone, payloadType: 0 },
      { peer: carrier, towards: towardsCarrier, payloadType: 8 },
    );

    await Promise.all([call.bye(), answerBye(providers.pcma.sip, call.callId)]);
  });

  describe('with rtpengine down', () => {
    /** A second relay on the same stack whose only rtpengine does not answer, with `policy`. */
    async function relayWithoutRtpengine(policy: 'unanchored' | 'reject') {
      const down = await createRtpengineAnchor({
        instances: [await unreachableAddress()],
        failurePolicy: policy,
        timeoutMs: 100,
      });
      const other = await startTestRelay(stack, {}, { media: down });
      return {
        at: { host: '127.0.0.1', port: other.ports.udp },
        async stop() {
          await other.stop();
          await down.close();
        },
      };
    }

    it('passes media unanchored by default: the call succeeds with the endpoints’ own SDP', async () => {
      const down = await relayWithoutRtpengine('unanchored');
      try {
        const [phone, carrier] = [await newPeer(), await newPeer()];
        const sdp = phone.sdp({ payloadTypes: [0], origin: '192.0.2.10' });
        const call = placeCall(ipbx, down.at, { service: '+31201234567', sdp });
        const invite = await nextRequest(providers.plain.sip, 'INVITE', call.callId);
        expect(sdpMediaTarget(invite.body).port).toBe(phone.port);
        const carrierSdp = carrier.sdp({ payloadTypes: [0], origin: '198.51.100.20' });
        answer(providers.plain.sip, invite, carrierSdp, 'callee', down.at);
        const ok = await call.final();
        expect(ok.status).toBe(200);
        expect(sdpMediaTarget(ok.body).port).toBe(carrier.port);
        const [bye] = await Promise.all([call.bye(), answerBye(providers.plain.sip, call.callId, down.at)]);
        expect(bye.status).toBe(200);
      } finally {
        await down.stop();
      }
    });

    it('fails the call with policy reject, and the provider never sees it', async () => {
      const down = await relayWithoutRtpengine('reject');
      try {
        const phone = await newPeer();
        const call = placeCall(ipbx, down.at, {
          service: '+31201234567',
          sdp: phone.sdp({ payloadTypes: [0], origin: '192.0.2.10' }),
        });
        const final = await call.final();
        // The relay itself cannot carry the call: its own 503 with Retry-After, not the 500 a
        // downstream 503 becomes (§16.7).
        expect(final.status).toBe(503);
        expect(sipHeader(final, 'retry-after')).toMatch(/^\d+$/);
        await expect(nextRequest(providers.plain.sip, 'INVITE', call.callId, 200)).rejects.toThrow();
      } finally {
        await down.stop();
      }
    });
  });

  it('leaks no rtpengine session after 100 calls with random failures (503, CANCEL, BYE from either side)', async () => {
    const random = seededRandom(5);
    const phone = await newPeer();
    const sdp = phone.sdp({ payloadTypes: [0, 101], origin: '192.0.2.10' });
    const kinds = [
      'caller-bye',
      'callee-bye',
      'failover',
      'cancel',
      'cancel-early-media',
      'all-503',
    ] as const;
    type Kind = (typeof kinds)[number];
    const { a, b } = { a: providers.a.sip, b: providers.b.sip };

    const run = async (kind: Kind, i: number): Promise<number> => {
      const call = placeCall(ipbx, relayAt, { service: `+3520${String(i).padStart(7, '0')}`, sdp });
      const invite = await nextRequest(a, 'INVITE', call.callId);
      expect(inRange(sdpMediaTarget(invite.body).port), 'anchored').toBe(true);
      a.reply(invite, 100, { to: relayAt });
      let answering = a;
      let answered = invite;
      if (kind === 'failover' || kind === 'all-503') {
        a.reply(invite, 503, { to: relayAt, toTag: 'a503' });
        const second = await nextRequest(b, 'INVITE', call.callId);
        b.reply(second, 100, { to: relayAt });
        if (kind === 'all-503') {
          b.reply(second, 503, { to: relayAt, toTag: 'b503' });
          return (await call.final()).status!;
        }
        answering = b;
        answered = second;
      }
      if (kind === 'cancel' || kind === 'cancel-early-media') {
        a.reply(invite, kind === 'cancel' ? 180 : 183, {
          to: relayAt,
          toTag: 'ringing',
          ...(kind === 'cancel' ? {} : { sdp }),
        });
        await ipbx.next(
          (m) => sipHeader(m, 'call-id') === call.callId && (m.status === 180 || m.status === 183),
        );
        call.cancel();
        const cancel = await nextRequest(a, 'CANCEL', call.callId);
        a.reply(cancel, 200, { to: relayAt });
        a.reply(invite, 487, { to: relayAt, toTag: 'ringing' });
        return (await call.final()).status!;
      }
      answer(answering, answered, sdp, 'callee');
      const ok = await call.final();
      if (kind === 'callee-bye') {
        await Promise.all([
          byeFromCallee(answering, relayAt, answered, 'callee'),
          nextRequest(ipbx, 'BYE', call.callId).then((m) => ipbx.reply(m, 200, { to: relayAt })),
        ]);
      } else {
        await Promise.all([call.bye(), answerBye(answering, call.callId)]);
      }
      return ok.status!;
    };

    const plan = Array.from({ length: 100 }, () => kinds[Math.floor(random() * kinds.length)]!);
    expect(new Set(plan).size).toBe(kinds.length);
    const statuses: Record<string, number[]> = {};
    for (let i = 0; i < plan.length; i += 10) {
      const batch = plan.slice(i, i + 10);
      const results = await Promise.all(batch.map((kind, j) => run(kind, i + j)));
      batch.forEach((kind, j) => {
        statuses[kind] = [...(statuses[kind] ?? []), results[j]!];
      });
    }
    expect(new Set(statuses['caller-bye'])).toEqual(new Set([200]));
    expect(new Set(statuses['callee-bye'])).toEqual(new Set([200]));
    expect(new Set(statuses.failover)).toEqual(new Set([200]));
    expect(new Set(statuses.cancel)).toEqual(new Set([487]));
    expect(new Set(statuses['cancel-early-media'])).toEqual(new Set([487]));
    expect(statuses['all-503']!.every((s) => s >= 500)).toBe(true);
    await waitNoCalls();
    expect(await rtpengine.calls(rtpengine.instances[0]!.address)).toEqual([]);
  });
});
