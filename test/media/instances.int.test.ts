import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { candidatesForNewCall, instanceKey } from '../../edge-relay/media/instance-pool';
import type { MediaAnchor } from '../../edge-relay/media/media-anchor';
import { createRtpengineAnchor, type MediaEvent } from '../../edge-relay/media/rtpengine-anchor';
import type { RtpengineAddress } from '../../edge-relay/settings/media-settings';
import { startRtpengine } from '../../local/rtpengine-process';
import { createRtpPeer, type RtpPeer } from './support/rtp-peer';
import { type RtpengineFixture, startRtpengines, unreachableAddress } from './support/rtpengine-fixture';

let rtpengine: RtpengineFixture;
let dead: RtpengineAddress;
let peer: RtpPeer;
const anchors: MediaAnchor[] = [];
let n = 0;

const callId = () => `instances-${++n}-${Math.random().toString(36).slice(2)}@test`;
const sdp = () => peer.sdp({ payloadTypes: [0, 101], origin: '192.0.2.10' });
const anchorWith = async (
  instances: RtpengineAddress[],
  failurePolicy: 'unanchored' | 'reject',
  events: MediaEvent[] = [],
) => {
  const anchor = await createRtpengineAnchor({
    instances,
    failurePolicy,
    timeoutMs: 300,
    onEvent: (e) => events.push(e),
  });
  anchors.push(anchor);
  return anchor;
};

beforeAll(async () => {
  [rtpengine, dead, peer] = await Promise.all([startRtpengines(2), unreachableAddress(), createRtpPeer()]);
});

afterEach(async () => {
  await Promise.all(anchors.splice(0).map((a) => a.close()));
  await rtpengine.expectNoCalls();
});

afterAll(async () => {
  await peer?.close();
  await rtpengine?.stop();
});

describe('with no rtpengine reachable', () => {
  it('passes the SDP unchanged under the unanchored policy', async () => {
    const events: MediaEvent[] = [];
    const anchor = await anchorWith([dead], 'unanchored', events);
    const body = sdp();
    const id = callId();
    const offered = await anchor.offer({ callId: id, fromTag: 'a', viaBranch: 'z9hG4bK-1', sdp: body });
    expect(offered).toEqual({ sdp: body, anchored: false, instance: null });
    const answered = await anchor.answer({
      callId: id,
      fromTag: 'a',
      toTag: 'b',
      viaBranch: 'z9hG4bK-1',
      sdp: body,
    });
    expect(answered.anchored).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['instance-down', 'unanchored']);
  });

  it('fails the call with 503 under the reject policy', async () => {
    const anchor = await anchorWith([dead], 'reject');
    await expect(
      anchor.offer({ callId: callId(), fromTag: 'a', viaBranch: 'z9hG4bK-1', sdp: sdp() }),
    ).rejects.toMatchObject({ name: 'MediaAnchorError', sipStatus: 503 });
  });
});

describe('with several instances', () => {
  it('keeps each call on one instance and spreads new calls over the live ones', async () => {
    const anchor = await anchorWith(
      rtpengine.instances.map((i) => i.address),
      'reject',
    );
    const placed = new Map<string, string>();
    for (let i = 0; i < 12; i++) {
      const id = `spread-${i}@test`;
      const offered = await anchor.offer({ callId: id, fromTag: 'a', viaBranch: `z9hG4bK-${i}`, sdp: sdp() });
      // A second attempt and an in-dialog re-offer land on the same instance, without a hint.
      const again = await anchor.offer({ callId: id, fromTag: 'a', viaBranch: `z9hG4bK-${i}-2`, sdp: sdp() });
      expect(again.instance).toBe(offered.instance);
      placed.set(id, offered.instance!);
    }
    expect(new Set(placed.values()).size).toBe(2);
    for (const instance of rtpengine.instances) {
      const key = instanceKey(instance.address);
      const here = [...placed].filter(([, k]) => k === key).map(([id]) => id);
      expect((await rtpengine.calls(instance.address)).sort()).toEqual(here.sort());
    }
    await Promise.all([...placed].map(([id, instance]) => anchor.delete({ callId: id, instance })));
  });

  it('skips an unreachable instance and then leaves it out for a while', async () => {
    const events: MediaEvent[] = [];
    const [live] = rtpengine.instances;
    const anchor = await anchorWith([dead, live!.address], 'reject', events);
    const keys = [instanceKey(dead), instanceKey(live!.address)];
    // Call-ids whose first choice is the dead instance: each would time out if it were not left out.
    const ids = Array.from({ length: 40 }, (_, i) => `skip-${i}@test`)
      .filter((id) => candidatesForNewCall(keys, id, new Map(), 0)[0] === keys[0])
      .slice(0, 8);
    expect(ids).toHaveLength(8);
    const started = Date.now();
    const results = [];
    for (const id of ids)
      results.push(await anchor.offer({ callId: id, fromTag: 'a', viaBranch: 'z9hG4bK-1', sdp: sdp() }));
    const elapsed = Date.now() - started;
    expect(results.every((r) => r.anchored && r.instance === instanceKey(live!.address))).toBe(true);
    // One ng timeout at most (300 ms), not one per call that hashes to the dead instance.
    expect(events.filter((e) => e.type === 'instance-down')).toHaveLength(1);
    expect(elapsed).toBeLessThan(300 + 8 * 100);
    expect(await anchor.query(ids[0]!)).toMatchObject({ instance: instanceKey(live!.address) });
    await Promise.all(ids.map((id) => anchor.delete({ callId: id })));
  });

  it('lets another relay continue a call with the instance kept in the dialog', async () => {
    const addresses = rtpengine.instances.map((i) => i.address);
    const [first, second] = [await anchorWith(addresses, 'reject'), await anchorWith(addresses, 'reject')];
    const id = callId();
    const offered = await first.offer({ callId: id, fromTag: 'a', viaBranch: 'z9hG4bK-1', sdp: sdp() });
    const answered = await second.answer({
      callId: id,
      fromTag: 'a',
      toTag: 'b',
      viaBranch: 'z9hG4bK-1',
      sdp: sdp(),
      instance: offered.instance!,
    });
    expect(answered).toMatchObject({ anchored: true, instance: offered.instance });
    // Without the hint, a relay that never saw the call still finds and deletes it.
    const third = await anchorWith(addresses, 'reject');
    await third.delete({ callId: id });
  });

  it('applies the policy when the instance holding a call dies mid-call, and never throws on delete', async () => {
    const doomed = await startRtpengine({ threads: 1 });
    const events: MediaEvent[] = [];
    const lenient = await anchorWith([doomed.address], 'unanchored', events);
    const strict = await anchorWith([doomed.address], 'reject');
    const [a, b] = [callId(), callId()];
    const offered = await lenient.offer({ callId: a, fromTag: 'a', viaBranch: 'z9hG4bK-1', sdp: sdp() });
    await strict.offer({ callId: b, fromTag: 'a', viaBranch: 'z9hG4bK-1', sdp: sdp() });
    expect(offered.anchored).toBe(true);
    await doomed.stop();

    const body = sdp();
    const answer = { fromTag: 'a', toTag: 'b', viaBranch: 'z9hG4bK-1', sdp: body };
    expect(await lenient.answer({ callId: a, ...answer })).toEqual({
      sdp: body,
      anchored: false,
      instance: null,
    });
    await expect(strict.answer({ callId: b, ...answer })).rejects.toMatchObject({ sipStatus: 503 });
    await lenient.delete({ callId: a });
    expect(events.map((e) => e.type)).toEqual(['instance-down', 'unanchored', 'delete-failed']);
  });

  it('reports every instance in health and marks a dead one down', async () => {
    const events: MediaEvent[] = [];
    const [live] = rtpengine.instances;
    const anchor = await anchorWith([live!.address, dead], 'unanchored', events);
    expect(await (anchor as Awaited<ReturnType<typeof createRtpengineAnchor>>).health()).toEqual({
      [instanceKey(live!.address)]: true,
      [instanceKey(dead)]: false,
    });
    expect(events).toEqual([expect.objectContaining({ type: 'instance-down', instance: instanceKey(dead) })]);
  });
});
