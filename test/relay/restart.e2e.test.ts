import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cdr } from '../../contract/cdr';
import { freePort } from '../../platform/free-port';
import { type RedisServer, startRedisServer } from '../support/redis-server';
import { startTestStack, type TestStack } from '../support/stack';
import { CALLED, CALLING } from './support/basic-call';
import { bundleRelays } from './support/bundle-relays';
import { metricSample } from './support/metrics';
import { startSipp } from './support/sipp';
import { tandemConfig } from './support/tandem-config';

/**
 * Established calls across relay faults, with the relay bundle under node: kill -9 and a restart
 * on the same address (with and without Redis), Redis stopped or frozen, a carrier that dies in
 * the middle of a call. Each call's BYE is the proof: sipp's caller exits 0 only if its BYE got
 * a 200 from the callee through whichever relay is up.
 */
let stack: TestStack;
let relays: ReturnType<typeof bundleRelays>;
const redisServers: RedisServer[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  relays = bundleRelays(stack);
});

afterAll(async () => {
  await relays?.killAll();
  for (const r of redisServers) await r.stop().catch(() => {});
  await stack?.stop();
});

/** A customer whose IPBX (sipp UAC) reaches one carrier (sipp UAS) for +82. */
async function world() {
  const config = tandemConfig(stack);
  const customer = await config.customer();
  const [ipbxPort, carrierPort] = [await freePort(), await freePort()];
  await config.ipbx(customer.id, ipbxPort, 'udp');
  const carrier = await config.provider(carrierPort, 'udp');
  await config.route(customer.id, carrier.id, '+82', 1);
  return { customer, ipbxPort, carrierPort };
}

/** `calls` calls held `holdMs` after their answer, then the caller's BYE. */
async function heldCalls(
  w: Awaited<ReturnType<typeof world>>,
  relayPort: number,
  calls: number,
  holdMs: number,
) {
  const callee = await startSipp({
    scenario: 'uas-answer.xml',
    port: w.carrierPort,
    transport: 'udp',
    calls,
  });
  const caller = await startSipp({
    scenario: 'uac-call.xml',
    render: { __HOLD_MS__: String(holdMs) },
    port: w.ipbxPort,
    transport: 'udp',
    remote: `127.0.0.1:${relayPort}`,
    service: CALLED,
    keys: { caller: CALLING },
    calls,
    rate: 20,
  });
  return { caller, callee };
}

/** Polls `done` with a deadline; the test then asserts what it waited for. */
async function until(done: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

const answeredCount = (output: string) => output.split('"msg":"final"').length - 1;

describe('established calls across relay faults', () => {
  it('kill -9 and a restart on the same address without Redis: every BYE of the established calls succeeds', async () => {
    const w = await world();
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-restart-'));
    const first = await relays.start({ TANDEM_DATA_DIR: dataDir });
    const run = await heldCalls(w, first.port, 5, 4_000);
    await until(() => answeredCount(first.process.output()) === 5);
    expect(answeredCount(first.process.output())).toBe(5);
    await new Promise((r) => setTimeout(r, 300)); // the ACKs pass the first relay
    await first.process.kill9();
    await relays.start({ TANDEM_DATA_DIR: dataDir, TANDEM_SIP_PORT: String(first.port) });
    const caller = await run.caller.done;
    expect(caller.code, caller.output).toBe(0);
    expect((await run.callee.done).code).toBe(0);
  });

  it('Redis away for 5 s while calls are set up, back, then the relay restarted: every BYE succeeds', async () => {
    const w = await world();
    const redis = await startRedisServer();
    redisServers.push(redis);
    const site = { TANDEM_REDIS_URL: redis.url, TANDEM_REDIS_PREFIX: 'restart:' };
    const first = await relays.start(site);
    await redis.stop();
    const away = Date.now();
    const run = await heldCalls(w, first.port, 5, 12_000);
    await until(() => answeredCount(first.process.output()) === 5);
    expect(answeredCount(first.process.output())).toBe(5);
    // Away for 5 s in all, as an outage a carrier would see.
    await new Promise((r) => setTimeout(r, Math.max(0, away + 5_000 - Date.now())));
    const back = await startRedisServer(redis.port);
    redisServers.push(back);
    // The relay writes what it could not while Redis was away.
    const client = new Redis(back.url);
    try {
      await until(async () => (await client.keys('restart:dialog:*')).length === 5);
      expect(await client.keys('restart:dialog:*')).toHaveLength(5);
    } finally {
      client.disconnect();
    }
    await first.process.kill9();
    // A relay with nothing of its own on disk: only the site's Redis knows the calls.
    await relays.start({ ...site, TANDEM_SIP_PORT: String(first.port) });
    const caller = await run.caller.done;
    expect(caller.code, caller.output).toBe(0);
  });

  it('Redis frozen (SIGSTOP): the BYE of a call this relay carries is answered', async () => {
    const w = await world();
    const redis = await startRedisServer();
    redisServers.push(redis);
    const relay = await relays.start({ TANDEM_REDIS_URL: redis.url, TANDEM_REDIS_PREFIX: 'frozen:' });
    const run = await heldCalls(w, relay.port, 1, 2_500);
    await until(() => answeredCount(relay.process.output()) === 1);
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const caller = await run.caller.done;
      expect(caller.code, caller.output).toBe(0);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
  });

  it('a carrier that dies in the middle of a call: its BYE fails, the dialog goes, the record closes', async () => {
    const w = await world();
    const relay = await relays.start({ TANDEM_SIP_T1_MS: '100', TANDEM_SIP_T2_MS: '1000' });
    const run = await heldCalls(w, relay.port, 1, 1_500);
    await until(() => answeredCount(relay.process.output()) === 1);
    await run.callee.stop(); // the carrier is gone: the caller's BYE gets no answer from it
    await run.caller.done;
    await until(async () => (await metricSample(relay.httpPort, 'tandem_relay_dialogs')) === 0, 30_000);
    expect(await metricSample(relay.httpPort, 'tandem_relay_dialogs')).toBe(0);
    const from = new Date(Date.now() - 600_000).toISOString();
    const to = new Date(Date.now() + 600_000).toISOString();
    let cdrs: Cdr[] = [];
    await until(async () => {
      const page = await stack.api<{ result: Cdr[] }>(
        'GET',
        `/v1/cdrs?customer_id=${w.customer.id}&from=${from}&to=${to}`,
      );
      cdrs = page.result;
      return cdrs.length > 0;
    });
    expect(cdrs).toEqual([expect.objectContaining({ end_by: 'caller', end_reason: 'bye_failed' })]);
  });
});
