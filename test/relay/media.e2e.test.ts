import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaAnchor } from '../../edge-relay/media/media-anchor';
import { createRtpengineAnchor } from '../../edge-relay/media/rtpengine-anchor';
import type { Relay } from '../../edge-relay/service';
import { type RtpengineProcess, startRtpengine } from '../../local/rtpengine-process';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { startSipp } from './support/sipp';
import { tandemConfig } from './support/tandem-config';
import { startTestRelay } from './support/test-relay';

// Media anchoring end to end: a real rtpengine rewrites the SDP both ways for a provider with media_anchor.
let stack: TestStack;
let rtpengine: RtpengineProcess;
let anchor: MediaAnchor;
let relay: Relay;

beforeAll(async () => {
  [stack, rtpengine] = await Promise.all([startTestStack(), startRtpengine({ portCount: 40, threads: 1 })]);
  anchor = await createRtpengineAnchor({ instances: [rtpengine.address], failurePolicy: 'reject' });
  relay = await startTestRelay(stack, {}, { media: anchor });
});

afterAll(async () => {
  await relay?.stop();
  await anchor?.close();
  await rtpengine?.stop();
  await stack?.stop();
});

/** sipp refuses a variable that is set and never read, unless declared referenced. */
const REFERENCE = '<Reference variables="port"/>';

/** A sipp check that fails the call unless the SDP's audio port is one of rtpengine's. */
function anchoredCheck(): string {
  const ports = [];
  for (let p = rtpengine.portRange.min; p <= rtpengine.portRange.max; p++) ports.push(p);
  return `<action><ereg regexp="m=audio (${ports.join('|')}) " search_in="body" check_it="true" assign_to="port"/></action>`;
}

describe('media anchoring', () => {
  it('puts rtpengine in the SDP of the INVITE and of the 200, re-offers a re-INVITE, releases the call on BYE', async () => {
    const config = tandemConfig(stack);
    const customer = await config.customer();
    const ipbxPort = await freePort();
    await config.ipbx(customer.id, ipbxPort, 'udp');
    const providerPort = await freePort();
    const provider = await stack.api<{ id: string }>('POST', '/v1/providers', {
      name: 'anchored',
      hostname: '127.0.0.1',
      port: providerPort,
      transport: 'udp',
      allowed_sources: [{ cidr: '127.0.0.1', port: providerPort }],
      media_anchor: true,
    });
    await config.route(customer.id, provider.id, '+82', 1);
    const ended: string[] = [];
    relay.events.on('call-end', (e) => ended.push(e.call_id));
    const check = anchoredCheck();
    const uas = await startSipp({
      scenario: 'uas-answer-reinvite.xml',
      port: providerPort,
      transport: 'udp',
      render: { __INVITE_CHECK__: check, __REINVITE_CHECK__: check, __REFERENCE_CHECK__: REFERENCE },
    });
    const uac = await startSipp({
      scenario: 'uac-call-reinvite.xml',
      port: ipbxPort,
      transport: 'udp',
      remote: `127.0.0.1:${relay.ports.udp}`,
      service: '+821012345678',
      keys: { caller: '+14155550100' },
      render: { __ANSWER_CHECK__: check, __REANSWER_CHECK__: check, __REFERENCE_CHECK__: REFERENCE },
    });
    const caller = await uac.done;
    expect(caller.code, caller.output).toBe(0);
    const callee = await uas.done;
    expect(callee.code, callee.output).toBe(0);
    expect(ended).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(await anchor.query(ended[0]!)).toBeNull();
  });
});
