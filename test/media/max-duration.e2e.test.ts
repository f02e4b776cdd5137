import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cdr } from '../../contract/cdr';
import { createRtpengineAnchor, type RtpengineAnchor } from '../../edge-relay/media/rtpengine-anchor';
import type { Relay } from '../../edge-relay/service';
import { tandemConfig } from '../relay/support/tandem-config';
import { startTestRelay } from '../relay/support/test-relay';
import { startTestStack, type TestStack } from '../support/stack';
import { createRtpPeer, type RtpPeer } from './support/rtp-peer';
import { type RtpengineFixture, startRtpengines } from './support/rtpengine-fixture';
import { createSipPeer, nextRequest, placeCall, type SipPeer, sipHeader } from './support/sip-peer';

// A customer's maximum call duration: the relay ends the anchored call on both sides when it runs
// out, rtpengine keeps nothing of it, and its record says why (real relay, decision, rtpengine).
let stack: TestStack;
let rtpengine: RtpengineFixture;
let anchor: RtpengineAnchor;
let relay: Relay;
let ipbx: SipPeer;
let carrier: SipPeer;
let customerId: string;
const peers: RtpPeer[] = [];

beforeAll(async () => {
  [stack, rtpengine] = await Promise.all([startTestStack(), startRtpengines(1)]);
  anchor = await createRtpengineAnchor({
    instances: [rtpengine.instances[0]!.address],
    failurePolicy: 'reject',
  });
  // The dialogs' lifetime stays the default 12 h: only the customer's maximum ends the call. The
  // periodic check is slow: the call's own deadline must end it.
  relay = await startTestRelay(
    stack,
    {
      dataDir: mkdtempSync(join(tmpdir(), 'tandem-max-duration-')),
      dialogs: { expiryCheckS: 600 },
    },
    { media: anchor },
  );
  const config = tandemConfig(stack);
  const customer = await config.customer();
  customerId = customer.id;
  await stack.api('PATCH', `/v1/customers/${customer.id}`, { policy: { max_call_duration_s: 2 } });
  [ipbx, carrier] = [await createSipPeer(), await createSipPeer()];
  await config.ipbx(customer.id, ipbx.port, 'udp');
  const provider = await stack.api<{ id: string }>('POST', '/v1/providers', {
    name: `max-duration-${Math.random().toString(36).slice(2, 8)}`,
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

async function recordOf(callId: string): Promise<Cdr | undefined> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const page = await stack.api<{ result: Cdr[] }>(
    'GET',
    `/v1/cdrs?customer_id=${customerId}&from=${from}&to=${to}&page_size=100`,
  );
  return page.result.find((c) => c.call_id === callId);
}

describe('a call past its maximum duration', () => {
  it('is ended with a BYE to both sides, rtpengine has no session left, the CDR says max_duration', async () => {
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

    let record = await recordOf(call.callId);
    const until = Date.now() + 30_000;
    while (!record && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      record = await recordOf(call.callId);
    }
    expect(record).toMatchObject({ end_reason: 'max_duration', end_by: 'relay', final_code: 200 });
    // Cut at its maximum (2 s, checked every second), not at the dialogs' 12 h lifetime.
    expect(record!.billsec).toBeGreaterThanOrEqual(2);
    // Ended at its deadline, not by the periodic check (every 600 s here).
    expect(record!.billsec).toBeLessThan(4);
  });
});
