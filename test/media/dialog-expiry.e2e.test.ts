import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRtpengineAnchor, type RtpengineAnchor } from '../../edge-relay/media/rtpengine-anchor';
import type { Relay } from '../../edge-relay/service';
import { tandemConfig } from '../relay/support/tandem-config';
import { startTestRelay } from '../relay/support/test-relay';
import { startTestStack, type TestStack } from '../support/stack';
import { createRtpPeer, type RtpPeer } from './support/rtp-peer';
import { type RtpengineFixture, startRtpengines } from './support/rtpengine-fixture';
import { createSipPeer, nextRequest, placeCall, type SipPeer, sipHeader } from './support/sip-peer';

// An anchored call whose BYE never comes: once its dialog outlives TANDEM_DIALOG_TTL_S the relay
// ends it on both sides and rtpengine keeps nothing of it (real relay, decision and rtpengine).
let stack: TestStack;
let rtpengine: RtpengineFixture;
let anchor: RtpengineAnchor;
let relay: Relay;
let ipbx: SipPeer;
let carrier: SipPeer;
const peers: RtpPeer[] = [];

beforeAll(async () => {
  [stack, rtpengine] = await Promise.all([startTestStack(), startRtpengines(1)]);
  anchor = await createRtpengineAnchor({
    instances: [rtpengine.instances[0]!.address],
    failurePolicy: 'reject',
  });
  relay = await startTestRelay(stack, { dialogs: { ttlS: 5, expiryCheckS: 1 } }, { media: anchor });
  const config = tandemConfig(stack);
  const customer = await config.customer();
  [ipbx, carrier] = [await createSipPeer(), await createSipPeer()];
  await config.ipbx(customer.id, ipbx.port, 'udp');
  const provider = await stack.api<{ id: string }>('POST', '/v1/providers', {
    name: `expiry-${Math.random().toString(36).slice(2, 8)}`,
    hostname: '127.0.0.1',
    port: carrier.port,
    transport: 'udp',
    allowed_sources: [{ cidr: '127.0.0.1', port: carrier.port }],
    media_anchor: true,
  });
  await config.route(customer.id, provider.id, '+31', 1);
});

afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await relay?.stop();
  await anchor?.close();
  await Promise.all([ipbx?.close(), carrier?.close()]);
  await rtpengine?.stop();
  await stack?.stop();
});

describe('a dialog past its lifetime', () => {
  it('is ended with a BYE to both sides, and rtpengine has no session left', async () => {
    const [phone, far] = [await createRtpPeer(), await createRtpPeer()];
    peers.push(phone, far);
    const relayAt = { host: '127.0.0.1', port: relay.ports.udp };
    const call = placeCall(ipbx, relayAt, {
      service: '+31201234567',
      sdp: phone.sdp({ payloadTypes: [0], origin: '192.0.2.10' }),
    });
    const invite = await nextRequest(carrier, 'INVITE', call.callId);
    carrier.reply(invite, 200, {
      to: relayAt,
      toTag: 'callee',
      sdp: far.sdp({ payloadTypes: [0], origin: '198.51.100.20' }),
    });
    expect((await call.final()).status).toBe(200);
    await nextRequest(carrier, 'ACK', call.callId);
    expect(await rtpengine.calls(rtpengine.instances[0]!.address)).toEqual([call.callId]);

    // Neither side hangs up: the relay does, 5 s after the answer (checked every second).
    const [toCaller, toCallee] = await Promise.all([
      nextRequest(ipbx, 'BYE', call.callId, 20_000),
      nextRequest(carrier, 'BYE', call.callId, 20_000),
    ]);
    expect(sipHeader(toCaller, 'call-id')).toBe(call.callId);
    ipbx.reply(toCaller, 200, { to: relayAt });
    carrier.reply(toCallee, 200, { to: relayAt });
    const deadline = Date.now() + 5_000;
    while ((await rtpengine.calls(rtpengine.instances[0]!.address)).length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await rtpengine.calls(rtpengine.instances[0]!.address)).toEqual([]);
  });
});
