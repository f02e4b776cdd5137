import { createSocket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRtpengineAnchor, type RtpengineAnchor } from '../../edge-relay/media/rtpengine-anchor';
import { createRtpPeer, expectTranscodedBothWays, type RtpPeer, sdpMediaTarget } from './support/rtp-peer';
import { type RtpengineFixture, startRtpengines } from './support/rtpengine-fixture';

let rtpengine: RtpengineFixture;
let anchor: RtpengineAnchor;
let peers: RtpPeer[] = [];
let n = 0;

const newPeer = async () => {
  const peer = await createRtpPeer();
  peers.push(peer);
  return peer;
};
const callId = () => `anchored-${++n}-${Math.random().toString(36).slice(2)}@test`;
const inRange = (port: number) =>
  port >= rtpengine.instances[0]!.portRange.min && port <= rtpengine.instances[0]!.portRange.max;

beforeAll(async () => {
  rtpengine = await startRtpengines(1);
  anchor = await createRtpengineAnchor({
    instances: [rtpengine.instances[0]!.address],
    failurePolicy: 'reject',
  });
});

afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
  await rtpengine.expectNoCalls();
});

afterAll(async () => {
  await anchor?.close();
  await rtpengine?.stop();
});

describe('an anchored call', () => {
  it('shows each side only rtpengine and carries RTP both ways, counted by rtpengine', async () => {
    const [caller, callee] = [await newPeer(), await newPeer()];
    const id = callId();
    const offered = await anchor.offer({
      callId: id,
      fromTag: 'caller-tag',
      viaBranch: 'z9hG4bK-a1',
      sdp: caller.sdp({ payloadTypes: [0, 101], origin: '192.0.2.10' }),
    });
    expect(offered.anchored).toBe(true);
    expect(offered.instance).toBe(`127.0.0.1:${rtpengine.instances[0]!.address.port}`);
    expect(offered.sdp).not.toContain('192.0.2.10');
    const towardsCallee = sdpMediaTarget(offered.sdp);
    expect(inRange(towardsCallee.port)).toBe(true);
    expect(towardsCallee.port).not.toBe(caller.port);

    const answered = await anchor.answer({
      callId: id,
      fromTag: 'caller-tag',
      toTag: 'callee-tag',
      viaBranch: 'z9hG4bK-a1',
      sdp: callee.sdp({ payloadTypes: [0, 101], origin: '198.51.100.20' }),
      instance: offered.instance!,
    });
    expect(answered.anchored).toBe(true);
    expect(answered.sdp).not.toContain('198.51.100.20');
    const towardsCaller = sdpMediaTarget(answered.sdp);
    expect(inRange(towardsCaller.port)).toBe(true);

    await Promise.all([caller.send(towardsCaller, 0, 10), callee.send(towardsCallee, 0, 10)]);
    const [atCallee, atCaller] = await Promise.all([callee.waitFor(10), caller.waitFor(10)]);
    expect(atCallee).toHaveLength(10);
    expect(atCaller).toHaveLength(10);
    // Media comes from rtpengine's ports, never from the other side's own address.
    expect(atCallee.every((p) => p.from.port === towardsCallee.port)).toBe(true);
    expect(atCaller.every((p) => p.from.port === towardsCaller.port)).toBe(true);

    const stats = await anchor.query(id);
    expect(stats?.rtp.packets).toBeGreaterThanOrEqual(20);

    await anchor.delete({ callId: id, instance: offered.instance! });
    expect(await anchor.query(id)).toBeNull();
  });

  it('releases a failed attempt by its branch while the next attempt carries media', async () => {
    const [caller, failed, answering] = [await newPeer(), await newPeer(), await newPeer()];
    const id = callId();
    const sdp = caller.sdp({ payloadTypes: [0, 101], origin: '192.0.2.10' });
    const first = await anchor.offer({ callId: id, fromTag: 'ft', viaBranch: 'z9hG4bK-b1', sdp });
    const firstPort = sdpMediaTarget(first.sdp).port;
    // The first carrier rings with early media (183 with SDP), then fails with 503.
    await anchor.answer({
      callId: id,
      fromTag: 'ft',
      toTag: 'failed-tag',
      viaBranch: 'z9hG4bK-b1',
      sdp: failed.sdp({ payloadTypes: [0, 101], origin: '203.0.113.1' }),
    });
    // The next attempt is offered before the failed one is released, so only that branch goes
    // (rtpengine deletes the whole call with its last branch).
    const second = await anchor.offer({ callId: id, fromTag: 'ft', viaBranch: 'z9hG4bK-b2', sdp });
    expect(second.instance).toBe(first.instance);
    await anchor.delete({ callId: id, fromTag: 'ft', toTag: 'failed-tag', viaBranch: 'z9hG4bK-b1' });
    expect(await portReleased(firstPort)).toBe(true);
    expect(JSON.stringify((await anchor.query(id))?.raw)).not.toContain(`"local port":${firstPort},`);

    const towardsCallee = sdpMediaTarget(second.sdp);
    const answered = await anchor.answer({
      callId: id,
      fromTag: 'ft',
      toTag: 'ok-tag',
      viaBranch: 'z9hG4bK-b2',
      sdp: answering.sdp({ payloadTypes: [0, 101], origin: '203.0.113.2' }),
    });
    const towardsCaller = sdpMediaTarget(answered.sdp);

    await Promise.all([caller.send(towardsCaller, 0, 8), answering.send(towardsCallee, 0, 8)]);
    expect(await answering.waitFor(8)).toHaveLength(8);
    expect(await caller.waitFor(8)).toHaveLength(8);
    expect(failed.received).toHaveLength(0);

    await anchor.delete({ callId: id });
  });

  it('follows re-INVITE offers from either side, and media moves with them', async () => {
    const [caller, callee, calleeMoved, callerMoved] = [
      await newPeer(),
      await newPeer(),
      await newPeer(),
      await newPeer(),
    ];
    const id = callId();
    const branch = 'z9hG4bK-r0';
    const offered = await anchor.offer({
      callId: id,
      fromTag: 'A',
      viaBranch: branch,
      sdp: caller.sdp({ payloadTypes: [0], origin: '192.0.2.10' }),
    });
    await anchor.answer({
      callId: id,
      fromTag: 'A',
      toTag: 'B',
      viaBranch: branch,
      sdp: callee.sdp({ payloadTypes: [0], origin: '198.51.100.20' }),
    });
    expect(offered.anchored).toBe(true);

    // The callee re-INVITEs from a new media address: its tag is the from-tag now.
    const reoffer = await anchor.offer({
      callId: id,
      fromTag: 'B',
      toTag: 'A',
      viaBranch: 'z9hG4bK-r1',
      sdp: calleeMoved.sdp({ payloadTypes: [0], origin: '198.51.100.20', sessionId: 2 }),
    });
    expect(reoffer.sdp).not.toContain('198.51.100.20');
    const reanswer = await anchor.answer({
      callId: id,
      fromTag: 'B',
      toTag: 'A',
      viaBranch: 'z9hG4bK-r1',
      sdp: caller.sdp({ payloadTypes: [0], origin: '192.0.2.10', sessionId: 2 }),
    });
    expect(inRange(sdpMediaTarget(reoffer.sdp).port)).toBe(true);
    expect(inRange(sdpMediaTarget(reanswer.sdp).port)).toBe(true);

    // The caller re-INVITEs too, moving its own media.
    const third = await anchor.offer({
      callId: id,
      fromTag: 'A',
      toTag: 'B',
      viaBranch: 'z9hG4bK-r2',
      sdp: callerMoved.sdp({ payloadTypes: [0], origin: '192.0.2.10', sessionId: 3 }),
    });
    const thirdAnswer = await anchor.answer({
      callId: id,
      fromTag: 'A',
      toTag: 'B',
      viaBranch: 'z9hG4bK-r2',
      sdp: calleeMoved.sdp({ payloadTypes: [0], origin: '198.51.100.20', sessionId: 3 }),
    });
    await Promise.all([
      callerMoved.send(sdpMediaTarget(thirdAnswer.sdp), 0, 6),
      calleeMoved.send(sdpMediaTarget(third.sdp), 0, 6),
    ]);
    expect(await calleeMoved.waitFor(6)).toHaveLength(6);
    expect(await callerMoved.waitFor(6)).toHaveLength(6);
    expect(callee.received).toHaveLength(0);
    expect(caller.received).toHaveLength(0);

    await anchor.delete({ callId: id });
  });

  it('transcodes PCMU to PCMA for a target that only takes PCMA', async () => {
    const [ipbx, carrier] = [await newPeer(), await newPeer()];
    const id = callId();
    const offered = await anchor.offer({
      callId: id,
      fromTag: 'ipbx',
      viaBranch: 'z9hG4bK-t1',
      sdp: ipbx.sdp({ payloadTypes: [0, 101], origin: '192.0.2.10' }),
      policy: { codecs: { allow: ['PCMA'], transcode: ['PCMA'] }, dtmf_mode: 'rfc2833' },
    });
    const towardsCarrier = sdpMediaTarget(offered.sdp);
    expect(towardsCarrier.payloadTypes).toEqual([8, 101]);
    const answered = await anchor.answer({
      callId: id,
      fromTag: 'ipbx',
      toTag: 'carrier',
      viaBranch: 'z9hG4bK-t1',
      sdp: carrier.sdp({ payloadTypes: [8, 101], origin: '198.51.100.20' }),
    });
    const towardsIpbx = sdpMediaTarget(answered.sdp);
    expect(towardsIpbx.payloadTypes[0]).toBe(0);

    await expectTranscodedBothWays(
      { peer: ipbx, towards: towardsIpbx, payloadType: 0 },
      { peer: carrier, towards: towardsCarrier, payloadType: 8 },
    );

    await anchor.delete({ callId: id });
  });

  it('refuses with 488 an offer the target policy leaves without a codec', async () => {
    const caller = await newPeer();
    await expect(
      anchor.offer({
        callId: callId(),
        fromTag: 'a',
        viaBranch: 'z9hG4bK-x',
        sdp: caller.sdp({ payloadTypes: [0], origin: '192.0.2.10' }),
        policy: { codecs: { allow: ['PCMA'], transcode: [] } },
      }),
    ).rejects.toMatchObject({ sipStatus: 488 });
  });
});

/** A port rtpengine released can be bound again (rtpengine closes sockets asynchronously: poll). */
async function portReleased(port: number): Promise<boolean> {
  for (let i = 0; i < 25; i++) {
    if (await portIsFree(port)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}
