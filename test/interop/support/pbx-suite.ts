import { afterAll, afterEach, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import { stopAll, until } from './bounded-process';
import { type Carrier, startCarrier } from './carrier';
import { headerValues, isRequest, isResponse, summary, type TracedMessage } from './sip-trace';
import {
  CALLED,
  CALLING,
  type Credentials,
  type Interop,
  pbxCredentials,
  startInterop,
  type Transport,
  type World,
} from './tandem';
import type { CallingUa, UaKind } from './user-agents';

const STEP_MS = 8000;

/** Removes a test's UA, carrier and Tandem objects in reverse order, whatever failed. */
function cleanups() {
  const list: (() => Promise<unknown>)[] = [];
  return {
    add(fn: () => Promise<unknown>) {
      list.push(fn);
    },
    async run() {
      const errors: unknown[] = [];
      for (const fn of list.reverse()) await fn().catch((e) => errors.push(e));
      list.length = 0;
      if (errors.length > 0) throw errors[0];
    },
  };
}

type Setup = { ua: CallingUa; world: World; carrier: Carrier; domain: string; transport: Transport };

const algorithmOf = (authorization: string) =>
  (/\balgorithm="?([\w-]+)"?/i.exec(authorization)?.[1] ?? 'MD5').toUpperCase();

/**
 * The checks every PBX user agent goes through, over UDP and TCP: the UA is a
 * customer's IPBX placing a call through the relay to a carrier (sipp UAS),
 * with digest credentials (right and wrong password) and by source address alone.
 *
 * @example
 * describePbx(baresip);
 */
export function describePbx(kind: UaKind): void {
  let interop: Interop;
  const after = cleanups();

  beforeAll(async () => {
    interop = await startInterop(kind.needs);
  });
  afterEach(() => after.run());
  afterAll(async () => {
    await stopAll();
    await interop?.stop();
  });

  /**
   * The UA (From `sip:+14155550100@<domain>`, with `uaCredentials`), the IPBX it is in Tandem
   * (with `credentials`), the carrier behind the IPBX's customer's route.
   */
  async function setup(
    transport: Transport,
    credentials: Credentials | undefined,
    uaCredentials = credentials,
  ): Promise<Setup> {
    const domain = credentials?.realm ?? pbxCredentials().realm;
    const ua = await kind.start({
      transport,
      relayPort: transport === 'udp' ? interop.relay.ports.udp : interop.relay.ports.tcp,
      user: CALLING,
      domain,
      ...(uaCredentials && { credentials: uaCredentials }),
    });
    after.add(() => ua.stop());
    const world = await interop.world({ transport, uaPort: ua.sipPort, ...(credentials && { credentials }) });
    after.add(() => world.remove());
    const carrier = await startCarrier(world.carrierPort, transport);
    after.add(() => carrier.stop());
    return { ua, world, carrier, domain, transport };
  }

  const uaDetail = (ua: CallingUa) => () =>
    `${summary(ua.trace())}\n--- output ---\n${ua.output().slice(-3000)}`;

  /** The call answered by the carrier, then hung up by the UA with a 200 to its BYE. */
  async function answeredAndHungUp(expect: ExpectStatic, s: Setup): Promise<TracedMessage[]> {
    const { ua, carrier } = s;
    await ua.dial(`sip:${CALLED}@${s.domain}`);
    await ua.established(STEP_MS);
    const invite = ua.trace().find((m) => m.direction === 'sent' && isRequest(m, 'INVITE'));
    expect(headerValues(invite?.raw ?? '', 'Via', 'v')[0], 'the UA used the transport under test').toMatch(
      new RegExp(`^SIP/2\\.0/${s.transport}\\b`, 'i'),
    );
    await ua.hangup();
    await until(
      () => ua.trace().some((m) => m.direction === 'received' && isResponse(m, 200, 'BYE')),
      `${kind.name} gets 200 to its BYE`,
      STEP_MS,
      uaDetail(ua),
    );
    const code = await carrier.finished(STEP_MS);
    const received = carrier.trace().filter((m) => m.direction === 'received');
    expect(code, `carrier sipp exit\n${summary(carrier.trace())}\n${carrier.process.output()}`).toBe(0);
    const requests = [...new Set(received.filter((m) => m.method).map((m) => m.method))];
    expect(requests, summary(carrier.trace())).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(carrier.trace().some((m) => m.direction === 'sent' && isResponse(m, 200, 'BYE'))).toBe(true);
    return received;
  }

  /** No request the carrier got carries the IPBX's credentials (nor any digest answer). */
  function expectNoCredentialsLeak(expect: ExpectStatic, received: TracedMessage[]) {
    for (const m of received) {
      expect(headerValues(m.raw, 'Proxy-Authorization'), `${m.method} at the carrier:\n${m.raw}`).toEqual([]);
      expect(headerValues(m.raw, 'Authorization'), `${m.method} at the carrier:\n${m.raw}`).toEqual([]);
    }
  }

  /** The relay's final status of every INVITE transaction of the UA's call, in order. */
  function statusesOf(ua: CallingUa): number[] {
    const callId = ua
      .trace()
      .find((m) => m.direction === 'sent' && isRequest(m, 'INVITE'))
      ?.raw.match(/^(?:Call-ID|i):\s*(\S+)/im)?.[1];
    return interop.calls.filter((c) => c.call_id === callId).map((c) => c.status);
  }

  describe.each(['udp', 'tcp'] as const)(`${kind.name} as a PBX over %s`, (transport) => {
    it(`answers the relay's 407 (${kind.answersWith}) and carries the call; BYE from the PBX, no credentials reach the carrier`, async ({
      expect,
    }) => {
      const credentials = pbxCredentials();
      const s = await setup(transport, credentials);
      const received = await answeredAndHungUp(expect, s);

      // The relay challenged, and the UA answered in the IPBX's realm with its username.
      const uaTrace = s.ua.trace();
      const challenge = uaTrace.find((m) => m.direction === 'received' && isResponse(m, 407, 'INVITE'));
      expect(challenge, summary(uaTrace)).toBeDefined();
      expect(headerValues(challenge!.raw, 'Proxy-Authenticate').join('\n')).toContain(
        `realm="${credentials.realm}"`,
      );
      const answered = uaTrace.find(
        (m) =>
          m.direction === 'sent' &&
          isRequest(m, 'INVITE') &&
          headerValues(m.raw, 'Proxy-Authorization').length > 0,
      );
      expect(answered, summary(uaTrace)).toBeDefined();
      const authorization = headerValues(answered!.raw, 'Proxy-Authorization')[0]!;
      expect(authorization).toContain(`username="${credentials.username}"`);
      expect(algorithmOf(authorization)).toBe(kind.answersWith);
      expect(statusesOf(s.ua)).toEqual([407, 200]);
      expect(interop.attempts.filter((a) => a.target_id === s.world.providerId).map((a) => a.code)).toEqual([
        200,
      ]);

      // The UA repeats its credentials on the ACK and the BYE (RFC 3261 §22.3 lets it): the
      // relay must drop them there too, not only on the INVITE.
      const inDialog = uaTrace.filter(
        (m) => m.direction === 'sent' && (m.method === 'ACK' || m.method === 'BYE'),
      );
      const repeated = inDialog.filter((m) => headerValues(m.raw, 'Proxy-Authorization').length > 0);
      expect(
        repeated.map((m) => m.method),
        summary(uaTrace),
      ).toEqual(kind.repeatsCredentialsInDialog ? expect.arrayContaining(['ACK', 'BYE']) : []);
      expectNoCredentialsLeak(expect, received);
    });

    it('gets 403 for a wrong password; nothing reaches the carrier', async ({ expect }) => {
      const credentials = pbxCredentials();
      // Tandem holds the right password; the UA answers with another one.
      const s = await setup(transport, credentials, { ...credentials, password: 'not-the-password' });
      await s.ua.dial(`sip:${CALLED}@${s.domain}`);
      const why = await s.ua.ended(STEP_MS);
      const uaTrace = s.ua.trace();
      expect(
        uaTrace.some((m) => m.direction === 'received' && isResponse(m, 403, 'INVITE')),
        `${why}\n${summary(uaTrace)}`,
      ).toBe(true);
      expect(
        uaTrace.some(
          (m) =>
            m.direction === 'sent' &&
            isRequest(m, 'INVITE') &&
            headerValues(m.raw, 'Proxy-Authorization').length > 0,
        ),
        summary(uaTrace),
      ).toBe(true);
      expect(uaTrace.some((m) => m.direction === 'received' && m.status === 200)).toBe(false);
      expect(statusesOf(s.ua)).toEqual([407, 403]);
      expect(interop.attempts.filter((a) => a.target_id === s.world.providerId)).toEqual([]);
      await s.carrier.stop();
      expect(s.carrier.trace(), summary(s.carrier.trace())).toEqual([]);
    });

    it('carries a call from an allowed source without credentials; BYE from the PBX', async ({ expect }) => {
      const s = await setup(transport, undefined);
      const received = await answeredAndHungUp(expect, s);
      const uaTrace = s.ua.trace();
      expect(
        uaTrace.some((m) => m.status === 407 || m.status === 401),
        summary(uaTrace),
      ).toBe(false);
      expect(statusesOf(s.ua)).toEqual([200]);
      expectNoCredentialsLeak(expect, received);
    });
  });
}
