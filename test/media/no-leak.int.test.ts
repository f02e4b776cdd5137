import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRtpengineAnchor, type RtpengineAnchor } from '../../edge-relay/media/rtpengine-anchor';
import { seededRandom } from '../../functions/decision/engine/random';
import { createRtpPeer, type RtpPeer } from './support/rtp-peer';
import { type RtpengineFixture, startRtpengines } from './support/rtpengine-fixture';

type Outcome =
  | 'answered'
  | 'cancelled'
  | 'failover'
  | 'early-media-failover'
  | 'all-failed'
  | 'reinvite'
  | 'refused';
const OUTCOMES: Outcome[] = [
  'answered',
  'cancelled',
  'failover',
  'early-media-failover',
  'all-failed',
  'reinvite',
  'refused',
];

let rtpengine: RtpengineFixture;
let anchor: RtpengineAnchor;
let peer: RtpPeer;

beforeAll(async () => {
  [rtpengine, peer] = await Promise.all([startRtpengines(2), createRtpPeer()]);
  anchor = await createRtpengineAnchor({
    instances: rtpengine.instances.map((i) => i.address),
    failurePolicy: 'reject',
  });
});

afterAll(async () => {
  await anchor?.close();
  await peer?.close();
  await rtpengine?.stop();
});

/** One call through the relay's media steps for a given outcome, as the relay will drive them. */
async function placeCall(callId: string, outcome: Outcome, random: () => number): Promise<void> {
  const sdp = peer.sdp({ payloadTypes: [0, 101], origin: '192.0.2.10' });
  const attempt = (branch: string, policy?: { codecs: { allow: string[]; transcode: string[] } }) =>
    anchor.offer({ callId, fromTag: 'caller', viaBranch: branch, sdp, policy });
  const answer = (branch: string, toTag: string) =>
    anchor.answer({ callId, fromTag: 'caller', toTag, viaBranch: branch, sdp });
  // The relay keeps the instance in the dialog, but may also have lost it (restart): both must clean up.
  const hangUp = async (instance: string | null) =>
    anchor.delete({ callId, ...(random() < 0.5 && instance ? { instance } : {}) });

  if (outcome === 'refused') {
    await expect(attempt('b1', { codecs: { allow: ['G722'], transcode: [] } })).rejects.toMatchObject({
      sipStatus: 488,
    });
    return;
  }
  const first = await attempt('b1');
  switch (outcome) {
    case 'answered':
      await answer('b1', 'callee');
      return hangUp(first.instance);
    case 'cancelled':
      return hangUp(first.instance);
    case 'failover':
      await anchor.delete({ callId, fromTag: 'caller', viaBranch: 'b1' });
      await attempt('b2');
      await answer('b2', 'callee-2');
      return hangUp(first.instance);
    case 'early-media-failover':
      await answer('b1', 'ringing');
      await attempt('b2');
      await anchor.delete({ callId, fromTag: 'caller', toTag: 'ringing', viaBranch: 'b1' });
      await answer('b2', 'callee-2');
      return hangUp(first.instance);
    case 'all-failed':
      await attempt('b2');
      await anchor.delete({ callId, fromTag: 'caller', viaBranch: 'b1' });
      return hangUp(first.instance);
    case 'reinvite': {
      await answer('b1', 'callee');
      // The callee re-INVITEs (hold/resume): its tag is the from-tag of the in-dialog offer.
      await anchor.offer({ callId, fromTag: 'callee', toTag: 'caller', viaBranch: 'r1', sdp });
      await anchor.answer({ callId, fromTag: 'callee', toTag: 'caller', viaBranch: 'r1', sdp });
      return hangUp(first.instance);
    }
  }
}

describe('rtpengine sessions', () => {
  it('are all gone after 100 calls with random failures', async () => {
    const random = seededRandom(5);
    const calls = Array.from({ length: 100 }, (_, i) => ({
      callId: `leak-${i}@test`,
      outcome: OUTCOMES[Math.floor(random() * OUTCOMES.length)]!,
    }));
    expect(new Set(calls.map((c) => c.outcome)).size).toBe(OUTCOMES.length);
    for (let i = 0; i < calls.length; i += 10) {
      await Promise.all(calls.slice(i, i + 10).map((c) => placeCall(c.callId, c.outcome, random)));
    }
    await rtpengine.expectNoCalls();
  });
});
