import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRtpengineAnchor, type RtpengineAnchor } from '../../edge-relay/media/rtpengine-anchor';
import { createRtpPeer, type RtpPeer, sdpMediaTarget } from './support/rtp-peer';
import { type RtpengineFixture, startRtpengines } from './support/rtpengine-fixture';

let rtpengine: RtpengineFixture;
let anchor: RtpengineAnchor;
const peers: RtpPeer[] = [];

beforeAll(async () => {
  rtpengine = await startRtpengines(1);
  anchor = await createRtpengineAnchor({
    instances: [rtpengine.instances[0]!.address],
    failurePolicy: 'reject',
  });
});
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
  await rtpengine.expectNoCalls();
});
afterAll(async () => {
  await anchor?.close();
  await rtpengine?.stop();
});

/** A call from an RFC 2833 caller to a target with the given DTMF mode; returns where each side sends. */
async function call(callId: string, dtmf: 'rfc2833' | 'inband') {
  const [caller, callee] = [await createRtpPeer(), await createRtpPeer()];
  peers.push(caller, callee);
  const offered = await anchor.offer({
    callId,
    fromTag: 'caller',
    viaBranch: 'z9hG4bK-d',
    sdp: caller.sdp({ payloadTypes: [0, 101], origin: '192.0.2.1' }),
    policy: { dtmf_mode: dtmf },
  });
  const calleeTypes = sdpMediaTarget(offered.sdp).payloadTypes;
  const answered = await anchor.answer({
    callId,
    fromTag: 'caller',
    toTag: 'callee',
    viaBranch: 'z9hG4bK-d',
    sdp: callee.sdp({ payloadTypes: calleeTypes, origin: '192.0.2.2' }),
  });
  return { caller, callee, calleeTypes, towardsCaller: sdpMediaTarget(answered.sdp) };
}

describe('DTMF mode of the target', () => {
  it('rfc2833: events pass through as telephone-event', async () => {
    const { caller, callee, calleeTypes, towardsCaller } = await call('dtmf-rfc2833', 'rfc2833');
    expect(calleeTypes).toEqual([0, 101]);
    await caller.send(towardsCaller, 0, 3);
    await caller.sendEvent(towardsCaller, 5, 8);
    await callee.waitFor(11);
    expect(callee.received.filter((p) => p.payloadType === 101).length).toBeGreaterThan(0);
    await anchor.delete({ callId: 'dtmf-rfc2833' });
  });

  it('inband: the target is offered no telephone-event and gets the caller events as audio', async () => {
    const { caller, callee, calleeTypes, towardsCaller } = await call('dtmf-inband', 'inband');
    expect(calleeTypes).toEqual([0]);
    // The caller still may send RFC 2833 events: its answer keeps telephone-event.
    expect(towardsCaller.payloadTypes).toContain(101);
    await caller.send(towardsCaller, 0, 5);
    await caller.sendEvent(towardsCaller, 5, 10);
    await caller.send(towardsCaller, 0, 5);
    await callee.waitFor(18);
    expect(callee.received.length).toBeGreaterThanOrEqual(18);
    expect(new Set(callee.received.map((p) => p.payloadType))).toEqual(new Set([0]));
    await anchor.delete({ callId: 'dtmf-inband' });
  });
});
