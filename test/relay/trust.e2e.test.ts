import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Relay } from '../../edge-relay/service';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { tandemConfig } from './support/tandem-config';
import { startTestRelay } from './support/test-relay';
import { startTracedSipp, type TracedMessage, type TracedSippResult } from './support/traced-sipp';

// What really reaches each side on the wire, read from sipp's message log: an IPBX that keeps
// sending its digest credentials and identity claims on every request (as baresip and linphone
// do) calls a provider that challenges the relay itself; neither side may see the other's
// credentials nor an identity the decision did not assert (edge-relay/proxy/trust.ts).
const CALLEE = '+821012345678';
const CALLER = '+14155550100';
const PBX_USER = 'pbx-trust';

let stack: TestStack;
let relay: Relay;

beforeAll(async () => {
  stack = await startTestStack();
  // sipp knows only MD5.
  relay = await startTestRelay(stack, { digestAlgorithms: ['MD5', 'SHA-256'] });
});

afterAll(async () => {
  await relay?.stop();
  await stack?.stop();
});

const CALLEE_CLAIMS = `
      Proxy-Authorization: Digest username="callee-side", realm="ipbx.example", nonce="n1", uri="sip:x@127.0.0.1", response="00112233445566778899aabbccddeeff", algorithm=MD5
      P-Asserted-Identity: <sip:+821099999999@evil.example>
      P-Preferred-Identity: <sip:+821099999998@evil.example>
      Remote-Party-ID: <sip:+821099999997@evil.example>;party=called`;

const OK = `
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>`;

/** The scenarios' __ENDING__: who hangs up, and what the other side takes. */
const ENDINGS = {
  caller: {
    caller: `
  <pause milliseconds="100"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: "caller" <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 6 BYE
      [authentication]
      P-Asserted-Identity: <sip:+19999999999@evil.example>
      P-Preferred-Identity: <sip:+19999999998@evil.example>
      Remote-Party-ID: "Spoofed" <sip:+19999999997@evil.example>;party=calling;screen=yes
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>`,
    // sipp refuses a scenario whose variables (the From and To the callee captures) go unused.
    callee: `
  <nop><action><log message="[$caller] [$callee]"/></action></nop>
  <recv request="BYE"/>${OK}
  <pause milliseconds="200"/>`,
  },
  callee: {
    caller: `
  <recv request="INFO"/>${OK}
  <recv request="BYE"/>${OK}
  <pause milliseconds="200"/>`,
    callee: `
  <pause milliseconds="100"/>
  <send retrans="500">
    <![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: [$callee]
      To: [$caller]
      Call-ID: [call_id]
      CSeq: 1 INFO${CALLEE_CLAIMS}
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=1
      Duration=160
    ]]>
  </send>
  <recv response="200"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: [$callee]
      To: [$caller]
      Call-ID: [call_id]
      CSeq: 2 BYE${CALLEE_CLAIMS}
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>`,
  },
};

/** Requests in a sipp message log, one per CSeq (UDP retransmissions folded). */
function requests(result: TracedSippResult, received: boolean): string[] {
  const byCseq = new Map<string, string>();
  for (const m of result.messages as TracedMessage[]) {
    if (m.received !== received || m.text.startsWith('SIP/2.0')) continue;
    const cseq = values(m.text, 'cseq')[0] ?? '';
    if (!byCseq.has(cseq)) byCseq.set(cseq, m.text);
  }
  return [...byCseq.values()];
}

/** The values of a header in a raw message (long name only: sipp and the relay write long names). */
function values(text: string, name: string): string[] {
  const head = text.split('\r\n\r\n')[0] ?? '';
  return head
    .split('\r\n')
    .filter((line) => line.toLowerCase().startsWith(`${name}:`))
    .map((line) => line.slice(name.length + 1).trim());
}

const cseqOf = (text: string) => values(text, 'cseq')[0] ?? '';

async function call(hangsUp: 'caller' | 'callee') {
  const config = tandemConfig(stack);
  const customer = await config.customer();
  const [ipbxPort, providerPort] = [await freePort(), await freePort()];
  const pbx = { username: PBX_USER, password: 'pbx-secret-pass', realm: `acme-${Date.now()}.example` };
  await config.ipbx(customer.id, ipbxPort, 'udp', { credentials: pbx });
  const carrier = { username: 'carrier-user', password: 'carrier-pass', realm: 'carrier.example' };
  const provider = await config.provider(providerPort, 'udp', undefined, carrier);
  await config.route(customer.id, provider.id, '+82', 1);
  const uas = await startTracedSipp({
    scenario: 'uas-auth-in-dialog.xml',
    port: providerPort,
    render: { __ENDING__: ENDINGS[hangsUp].callee },
  });
  const uac = await startTracedSipp({
    scenario: 'uac-auth-in-dialog.xml',
    port: ipbxPort,
    remote: `127.0.0.1:${relay.ports.udp}`,
    service: CALLEE,
    keys: { caller: CALLER },
    auth: { username: pbx.username, password: pbx.password },
    render: { __ENDING__: ENDINGS[hangsUp].caller },
  });
  const caller = await uac.done;
  const callee = await Promise.race([
    uas.done,
    new Promise<TracedSippResult>((r) => setTimeout(() => r(uas.stop()), 5000)),
  ]);
  return { caller, callee };
}

describe('credentials and identity across the relay', () => {
  it.for(['caller', 'callee'] as const)(
    'reach neither side, on any request (BYE from the %s)',
    async (hangsUp, { expect }) => {
      const { caller, callee } = await call(hangsUp);
      const outputs = `${caller.output}\n--- callee ---\n${callee.output}`;
      expect(caller.code, outputs).toBe(0);
      expect(callee.code, outputs).toBe(0);

      // The IPBX did send its credentials and claims on every request after the 407.
      const sent = requests(caller, false);
      expect(sent.map(cseqOf)).toEqual([
        '1 INVITE',
        '1 ACK',
        '2 INVITE',
        '2 ACK',
        '3 INFO',
        '4 UPDATE',
        '5 INVITE',
        '5 ACK',
        ...(hangsUp === 'caller' ? ['6 BYE'] : []),
      ]);
      for (const text of sent.slice(2))
        expect(values(text, 'proxy-authorization')[0], cseqOf(text)).toContain(`username="${PBX_USER}"`);

      // What reached the provider: the relay's own credentials on its retried INVITE, nothing else.
      const atCallee = requests(callee, true);
      expect(atCallee.map((t) => t.split(' ')[0])).toEqual([
        'INVITE',
        'ACK',
        'INVITE',
        'ACK',
        'INFO',
        'UPDATE',
        'INVITE',
        'ACK',
        ...(hangsUp === 'caller' ? ['BYE'] : []),
      ]);
      const credentials = atCallee.map((t) => values(t, 'proxy-authorization'));
      expect(credentials.map((c) => c.length)).toEqual(atCallee.map((_, i) => (i === 2 ? 1 : 0)));
      expect(credentials[2]![0]).toMatch(/^Digest username="carrier-user", realm="carrier\.example"/);
      // The decision's identity on the INVITE; in the dialog, the decision's again, never the caller's.
      const asserted = values(atCallee[0]!, 'p-asserted-identity');
      expect(asserted).toEqual([`<sip:${CALLER}@127.0.0.1>`]);
      for (const [i, text] of atCallee.entries()) {
        const label = `${i}: ${cseqOf(text)}`;
        expect(text, label).not.toContain(PBX_USER);
        expect(text, label).not.toContain('evil.example');
        expect(values(text, 'p-preferred-identity'), label).toEqual([]);
        expect(values(text, 'remote-party-id'), label).toEqual([]);
        // The relay's own ACK of the 407 carries none; every request the caller sent, the decision's.
        expect(values(text, 'p-asserted-identity'), label).toEqual(i === 1 ? [] : asserted);
      }

      if (hangsUp === 'callee') {
        // The provider's INFO and BYE did carry credentials and claims...
        const fromCallee = requests(callee, false);
        expect(fromCallee.map(cseqOf)).toEqual(['1 INFO', '2 BYE']);
        for (const text of fromCallee) expect(values(text, 'proxy-authorization')).toHaveLength(1);
        // ...and reached the IPBX without any.
        const atCaller = requests(caller, true);
        expect(atCaller.map(cseqOf)).toEqual(['1 INFO', '2 BYE']);
        for (const text of atCaller) {
          for (const name of [
            'proxy-authorization',
            'p-asserted-identity',
            'p-preferred-identity',
            'remote-party-id',
          ])
            expect(values(text, name), `${cseqOf(text)} ${name}`).toEqual([]);
          expect(text).not.toContain('callee-side');
          expect(text).not.toContain('evil.example');
        }
      }
    },
  );
});
