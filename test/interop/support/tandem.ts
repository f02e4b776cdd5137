import { randomBytes } from 'node:crypto';
import type { AttemptOutcome, CallEnded, CallOutcome } from '../../../edge-relay/events';
import type { Relay } from '../../../edge-relay/service';
import { freePort } from '../../../platform/free-port';
import { startTestRelay } from '../../relay/support/test-relay';
import { startTestStack, type TestStack } from '../../support/stack';

export type Transport = 'udp' | 'tcp';
export type DigestAlgorithm = 'SHA-256' | 'MD5';
export type Credentials = { username: string; password: string; realm: string };

/** What a user agent needs from Tandem beyond its defaults. */
export type UaNeeds = {
  /** The Proxy-Authenticate challenges it can answer, in the order to send them. */
  digestAlgorithms?: DigestAlgorithm[];
};

export const CALLED = '+821012345678';
export const CALLING = '+14155550100';

export type Interop = {
  readonly stack: TestStack;
  readonly relay: Relay;
  /** The relay's `call` events (final status of every INVITE it handled), in order. */
  readonly calls: CallOutcome[];
  readonly attempts: AttemptOutcome[];
  readonly ends: CallEnded[];
  /** A customer with one IPBX (the UA) and one route +82 → the carrier, configured through the API. */
  world(options: { transport: Transport; uaPort: number; credentials?: Credentials }): Promise<World>;
  stop(): Promise<void>;
};

export type World = {
  readonly customerId: string;
  readonly ipbxId: string;
  readonly providerId: string;
  /** Where the carrier (a sipp UAS) must listen. */
  readonly carrierPort: number;
  /** Deletes what world() created, so the next test's IPBX may take 127.0.0.1 again. */
  remove(): Promise<void>;
};

type Created = { id: string };
const suffix = () => randomBytes(4).toString('hex');

/**
 * Digest credentials for a PBX whose From domain is `realm` (a fresh one per test).
 *
 * @example
 * const credentials = pbxCredentials(); // { username: 'pbx-…', password: '…', realm: 'pbx-….example' }
 */
export function pbxCredentials(): Credentials {
  const id = suffix();
  return {
    username: `pbx-${id}`,
    password: `pw-${randomBytes(9).toString('base64url')}`,
    realm: `pbx-${id}.example`,
  };
}

/**
 * The real stack (DynamoDB Local, API, decision) and a relay on free loopback
 * ports, set up for one kind of UA.
 *
 * @example
 * const interop = await startInterop({ digestAlgorithms: ['MD5'] });
 * const world = await interop.world({ transport: 'udp', uaPort, credentials });
 */
export async function startInterop(needs: UaNeeds = {}): Promise<Interop> {
  const stack = await startTestStack();
  const digest = needs.digestAlgorithms;
  let relay: Relay;
  try {
    // The relay keeps its default challenges (SHA-256, MD5): a UA's needs are the IPBX's setting.
    relay = await startTestRelay(stack, {});
  } catch (error) {
    await stack.stop();
    throw error;
  }
  const calls: CallOutcome[] = [];
  const attempts: AttemptOutcome[] = [];
  const ends: CallEnded[] = [];
  relay.events.on('call', (c) => calls.push(c));
  relay.events.on('attempt', (a) => attempts.push(a));
  relay.events.on('call-end', (e) => ends.push(e));

  async function world(options: { transport: Transport; uaPort: number; credentials?: Credentials }) {
    const customer = await stack.api<Created>('POST', '/v1/customers', { name: `interop-${suffix()}` });
    const carrierPort = await freePort();
    // The carrier never sends a request (the UA hangs up): it needs no allowed source, and
    // an IPBX source of 127.0.0.1 may not overlap a provider's.
    const provider = await stack.api<Created>('POST', '/v1/providers', {
      name: `carrier-${suffix()}`,
      hostname: '127.0.0.1',
      port: carrierPort,
      transport: options.transport,
      timers: { provisional_ms: 4000, final_ms: 15_000 },
    });
    await stack.api('POST', '/v1/routes', {
      customer_id: customer.id,
      provider_id: provider.id,
      target: '+82',
      priority: 1,
    });
    // A UA's TCP connections leave from ephemeral ports: the source is the address alone.
    const ipbx = await stack.api<Created>('POST', '/v1/ipbxs', {
      customer_id: customer.id,
      name: `ua-${suffix()}`,
      hostname: '127.0.0.1',
      port: options.uaPort,
      transport: options.transport,
      allowed_sources: [{ cidr: '127.0.0.1' }],
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(digest ? { digest_algorithms: digest } : {}),
    });
    return {
      customerId: customer.id,
      ipbxId: ipbx.id,
      providerId: provider.id,
      carrierPort,
      async remove() {
        await stack.api('DELETE', `/v1/ipbxs/${ipbx.id}`);
      },
    };
  }

  return {
    stack,
    relay,
    calls,
    attempts,
    ends,
    world,
    async stop() {
      await relay.stop().catch(() => {});
      await stack.stop();
    },
  };
}
