import { freePort } from '../../../platform/free-port';
import type { TestStack } from '../../support/stack';
import { type SippOptions, type SippResult, startSipp } from './sipp';
import { tandemConfig } from './tandem-config';

export const CALLED = '+821012345678';
export const CALLING = '+14155550100';

/**
 * A customer whose IPBX (UDP, on a free port of 127.0.0.1) reaches one provider (UDP) for +82,
 * configured through the REST API.
 *
 * @example
 * const world = await basicWorld(stack);
 */
export async function basicWorld(stack: TestStack) {
  const config = tandemConfig(stack);
  const customer = await config.customer();
  const [ipbxPort, providerPort] = [await freePort(), await freePort()];
  await config.ipbx(customer.id, ipbxPort, 'udp');
  const provider = await config.provider(providerPort, 'udp');
  await config.route(customer.id, provider.id, '+82', 1);
  return { customer, ipbxPort, provider, providerPort };
}

/** The IPBX's sipp options for a call to +82 through the relay on `relayPort`. */
export function callerOptions(
  relayPort: number,
  ipbxPort: number,
  extra: Partial<SippOptions> = {},
): SippOptions {
  return {
    scenario: 'uac-call.xml',
    port: ipbxPort,
    transport: 'udp',
    remote: `127.0.0.1:${relayPort}`,
    service: CALLED,
    keys: { caller: CALLING },
    ...extra,
  };
}

/**
 * One call IPBX → relay → provider (sipp at both ends), BYE from the caller: both sipp
 * results, the provider's given 5 s after the caller is done.
 *
 * @example
 * const { caller, callee } = await basicCall(relay.ports.udp, await basicWorld(stack));
 */
export async function basicCall(
  relayPort: number,
  world: { ipbxPort: number; providerPort: number },
): Promise<{ caller: SippResult; callee: SippResult }> {
  const uas = await startSipp({ scenario: 'uas-answer.xml', port: world.providerPort, transport: 'udp' });
  const uac = await startSipp(callerOptions(relayPort, world.ipbxPort));
  const caller = await uac.done;
  const callee = await Promise.race([
    uas.done,
    new Promise<SippResult>((r) => setTimeout(() => r(uas.stop()), 5000)),
  ]);
  return { caller, callee };
}
