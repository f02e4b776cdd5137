import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RelayConfigInput } from '../../edge-relay/config';
import type { CallEnded } from '../../edge-relay/events';
import type { Relay } from '../../edge-relay/service';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { basicWorld, callerOptions } from './support/basic-call';
import { type SippResult, startSipp } from './support/sipp';
import { startTestRelay } from './support/test-relay';

// A call set up by one relay process and ended through another on the same address (a restart,
// or the standby of a VIP pair): the BYE finds its dialog only if the relays share Redis.
const prefix = `handover-${randomBytes(4).toString('hex')}:`;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  const redis = new Redis(inject('redisUrl'));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await stack?.stop();
});

/**
 * IPBX (sipp UAC) → relay → provider (sipp UAS) over UDP; once the call is answered the relay is
 * stopped and a new one takes its port, and the caller's BYE (2.5 s after the answer) meets it.
 */
async function callAcrossRestart(extra: Partial<RelayConfigInput>) {
  const { ipbxPort, providerPort } = await basicWorld(stack);
  const relayPort = await freePort();

  const first = await startTestRelay(stack, { port: relayPort, ...extra });
  const answered = new Promise<void>((resolve) =>
    first.events.on('attempt', (a) => {
      if (a.code === 200) resolve();
    }),
  );
  const uas = await startSipp({ scenario: 'uas-answer.xml', port: providerPort, transport: 'udp' });
  const uac = await startSipp(callerOptions(relayPort, ipbxPort, { render: { __HOLD_MS__: '2500' } }));
  let second: Relay | undefined;
  try {
    await answered;
    await new Promise((r) => setTimeout(r, 300)); // the ACK passes the first relay
    await first.stop();
    second = await startTestRelay(stack, { port: relayPort, ...extra });
    const ends: CallEnded[] = [];
    second.events.on('call-end', (e) => ends.push(e));
    const caller = await uac.done;
    const callee: SippResult = await Promise.race([
      uas.done,
      new Promise<SippResult>((r) => setTimeout(() => r(uas.stop()), 3000)),
    ]);
    return { caller, callee, ends };
  } finally {
    await uac.stop();
    await uas.stop();
    await second?.stop();
    await first.stop().catch(() => {});
  }
}

describe('dialogs shared through Redis', () => {
  it('lets the next relay on the address end a call the previous one set up', async () => {
    const { caller, callee, ends } = await callAcrossRestart({
      dialogs: { redisUrl: inject('redisUrl'), keyPrefix: prefix, ttlS: 600 },
    });
    expect(caller.code, caller.output).toBe(0);
    expect(callee.code, callee.output).toBe(0);
    expect(ends.map((e) => e.by)).toEqual(['caller']);
  });

  it('without Redis and on another data folder the next relay does not know the call: the BYE gets 481', async () => {
    const { caller, ends } = await callAcrossRestart({});
    expect(caller.code).not.toBe(0);
    expect(caller.output).toMatch(/481/);
    expect(ends).toEqual([]);
  });
});
