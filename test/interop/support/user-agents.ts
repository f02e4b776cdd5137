import { startBaresip } from './baresip';
import { startLinphone } from './linphone';
import { summary, type TracedMessage } from './sip-trace';
import type { Credentials, DigestAlgorithm, Transport, UaNeeds } from './tandem';

export type UaStart = {
  transport: Transport;
  relayPort: number;
  /** From user and domain: `sip:<user>@<domain>` (the domain is the digest realm when there are credentials). */
  user: string;
  domain: string;
  credentials?: Credentials;
};

/** One user agent acting as a customer's PBX, as the shared checks drive it. */
export type CallingUa = {
  /** Its SIP port on 127.0.0.1 (the IPBX's port in Tandem). */
  readonly sipPort: number;
  dial(uri: string): Promise<void>;
  /** Resolves once the UA reports the call answered. */
  established(timeoutMs: number): Promise<void>;
  /** Resolves once the UA reports the call over (hung up, refused or failed), with what it said. */
  ended(timeoutMs: number): Promise<string>;
  hangup(): Promise<void>;
  /** Every SIP message the UA sent or received so far. */
  trace(): TracedMessage[];
  /** Its console output, for assertion messages. */
  output(): string;
  stop(): Promise<void>;
};

export type UaKind = {
  name: string;
  /** What Tandem must do for this UA (the digest algorithms it can answer). */
  needs: UaNeeds;
  /** The algorithm its Proxy-Authorization uses against what Tandem then offers. */
  answersWith: DigestAlgorithm;
  /** It sends its Proxy-Authorization again on the ACK and the BYE of the answered call. */
  repeatsCredentialsInDialog: boolean;
  start(options: UaStart): Promise<CallingUa>;
};

/**
 * baresip 1.0 (libre): answers only an MD5 challenge and gives up on a second
 * Proxy-Authenticate for the same realm, so Tandem must offer MD5 alone.
 */
export const baresip: UaKind = {
  name: 'baresip',
  needs: { digestAlgorithms: ['MD5'] },
  answersWith: 'MD5',
  repeatsCredentialsInDialog: true,
  async start(o) {
    const ua = await startBaresip({
      transport: o.transport,
      relayPort: o.relayPort,
      user: o.user,
      domain: o.domain,
      ...(o.credentials && { auth: { username: o.credentials.username, password: o.credentials.password } }),
    });
    return {
      sipPort: ua.sipPort,
      async dial(uri) {
        const r = await ua.command('dial', uri);
        if (!r.ok) throw new Error(`baresip refused to dial ${uri}: ${r.data}`);
      },
      async established(ms) {
        const e = await ua.waitEvent(/^CALL_(ESTABLISHED|CLOSED)$/, ms);
        if (e.type === 'CALL_CLOSED')
          throw new Error(`baresip: call closed (${e.param})\n${ua.process.output()}`);
      },
      ended: async (ms) => (await ua.waitEvent('CALL_CLOSED', ms)).param ?? '',
      async hangup() {
        const r = await ua.command('hangup');
        if (!r.ok) throw new Error(`baresip hangup failed: ${r.data}`);
      },
      trace: () => ua.trace(),
      output: () => ua.process.output(),
      stop: () => ua.stop(),
    };
  },
};

/** linphonec 5.1 (liblinphone, belle-sip): answers the first challenge it supports, SHA-256 included. */
export const linphone: UaKind = {
  name: 'linphone',
  needs: {},
  answersWith: 'SHA-256',
  repeatsCredentialsInDialog: true,
  async start(o) {
    const ua = await startLinphone({
      transport: o.transport,
      relayPort: o.relayPort,
      user: o.user,
      domain: o.domain,
      ...(o.credentials && { auth: o.credentials }),
    });
    return {
      sipPort: ua.sipPort,
      async dial(uri) {
        ua.send(`call ${uri}`);
        await ua.waitOutput(/Establishing call id to \S+, assigned id \d+/, 5000);
      },
      async established(ms) {
        const m = await ua.waitOutput(/Call \d+ (?:with|to) \S+ (connected\.|ended|error)[^\n]*/, ms);
        if (m[1] !== 'connected.') throw new Error(`linphonec: ${m[0]}\n${summary(ua.trace())}`);
      },
      ended: async (ms) => (await ua.waitOutput(/Call \d+ (?:with|to) \S+ (?:ended|error)[^\n]*/, ms))[0],
      async hangup() {
        ua.send('terminate');
      },
      trace: () => ua.trace(),
      output: () => ua.process.output(),
      stop: () => ua.stop(),
    };
  },
};
