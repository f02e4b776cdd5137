import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { callerOptions } from './support/basic-call';
import { bundleRelays } from './support/bundle-relays';
import { metricSample } from './support/metrics';
import { startSipp } from './support/sipp';
import { tandemConfig } from './support/tandem-config';
import { udpPeer } from './support/udp-peer';

// Call admission as deployed: relay bundles under node at info, sharing a real redis-server
// where the limit is about the site, sipp at both ends.
const prefix = `admission-${randomBytes(4).toString('hex')}:`;
const redisUrl = inject('redisUrl');
let stack: TestStack;
let relays: ReturnType<typeof bundleRelays>;

beforeAll(async () => {
  stack = await startTestStack();
  relays = bundleRelays(stack);
});

afterAll(async () => {
  await relays?.killAll();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await stack?.stop();
});

type Limits = { max_concurrent_calls?: number | null; max_cps?: number | null };
const site = (extra: Record<string, string> = {}) =>
  relays.start({ TANDEM_REDIS_URL: redisUrl, TANDEM_REDIS_PREFIX: prefix, ...extra });

/** A customer with IPBXs on `ipbxPorts` and providers tried in order for +82; limits set through PATCH. */
async function world(options: { ipbxes: number; providers: Limits[]; ipbxLimits?: Limits }) {
  const config = tandemConfig(stack);
  const customer = await config.customer();
  const ipbxes = [];
  for (let i = 0; i < options.ipbxes; i++) {
    const port = await freePort();
    const ipbx = await config.ipbx(customer.id, port, 'udp');
    if (options.ipbxLimits)
      await stack.api('PATCH', `/v1/ipbxs/${ipbx.id}`, {
        limits: { max_concurrent_calls: null, max_cps: null, ...options.ipbxLimits },
      });
    ipbxes.push({ id: ipbx.id, port });
  }
  const providers = [];
  for (const [i, limits] of options.providers.entries()) {
    const port = await freePort();
    const provider = await config.provider(port, 'udp');
    await stack.api('PATCH', `/v1/providers/${provider.id}`, {
      limits: { max_concurrent_calls: null, max_cps: null, ...limits },
    });
    await config.route(customer.id, provider.id, '+82', i + 1);
    providers.push({ id: provider.id, port });
  }
  return { customer, ipbxes, providers };
}

const attemptsTo = async (httpPorts: number[], providerId: string, code = 200) => {
  let sum = 0;
  for (const port of httpPorts)
    sum += await metricSample(
      port,
      `tandem_relay_provider_attempts_total{provider="${providerId}",code="${code}"}`,
    );
  return sum;
};

async function until<T>(check: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('provider limits', () => {
  it('a provider with max_concurrent_calls 2 gets exactly 2 of 5 simultaneous calls; 3 go to the next provider', async () => {
    const w = await world({ ipbxes: 1, providers: [{ max_concurrent_calls: 2 }, {}] });
    const relay = await relays.start();
    const uases = await Promise.all(
      w.providers.map((p) =>
        startSipp({ scenario: 'uas-answer.xml', port: p.port, transport: 'udp', calls: 5 }),
      ),
    );
    const uac = await startSipp(
      callerOptions(relay.port, w.ipbxes[0]!.port, { calls: 5, rate: 50, render: { __HOLD_MS__: '2000' } }),
    );
    try {
      const caller = await uac.done;
      expect(caller.code, caller.output).toBe(0);
      expect(await attemptsTo([relay.httpPort], w.providers[0]!.id)).toBe(2);
      expect(await attemptsTo([relay.httpPort], w.providers[1]!.id)).toBe(3);
    } finally {
      for (const uas of uases) await uas.stop();
    }
  });

  it('the same limit holds when the calls arrive through two relays of a site', async () => {
    const w = await world({ ipbxes: 2, providers: [{ max_concurrent_calls: 2 }, {}] });
    const [a, b] = [await site(), await site()];
    const uases = await Promise.all(
      w.providers.map((p) =>
        startSipp({ scenario: 'uas-answer.xml', port: p.port, transport: 'udp', calls: 6 }),
      ),
    );
    const hold = { __HOLD_MS__: '3000' };
    const uacs = await Promise.all([
      startSipp(callerOptions(a.port, w.ipbxes[0]!.port, { calls: 3, rate: 50, render: hold })),
      startSipp(callerOptions(b.port, w.ipbxes[1]!.port, { calls: 3, rate: 50, render: hold })),
    ]);
    try {
      for (const uac of uacs) {
        const caller = await uac.done;
        expect(caller.code, caller.output).toBe(0);
      }
      expect(await attemptsTo([a.httpPort, b.httpPort], w.providers[0]!.id)).toBe(2);
      expect(await attemptsTo([a.httpPort, b.httpPort], w.providers[1]!.id)).toBe(4);
    } finally {
      for (const uas of uases) await uas.stop();
    }
  });
});

describe('IPBX limits', () => {
  it('an IPBX over max_concurrent_calls gets 503 with Retry-After and a Reason; a CANCEL gives the lease back', async () => {
    const relay = await relays.start();
    const pbx = await udpPeer('127.0.0.1', relay.port);
    const config = tandemConfig(stack);
    const customer = await config.customer();
    const ipbx = await config.ipbx(customer.id, pbx.port, 'udp');
    await stack.api('PATCH', `/v1/ipbxs/${ipbx.id}`, { limits: { max_concurrent_calls: 1, max_cps: null } });
    const providerPort = await freePort();
    const provider = await config.provider(providerPort, 'udp', { provisional_ms: 2000, final_ms: 30_000 });
    await config.route(customer.id, provider.id, '+82', 1);
    const uas = await startSipp({
      scenario: 'uas-ring-cancel.xml',
      port: providerPort,
      transport: 'udp',
      calls: 2,
    });
    const id = randomBytes(4).toString('hex');
    try {
      pbx.send('INVITE', `first-${id}`);
      await until(
        async () =>
          (await pbx.answers(`first-${id}`, 100)).some((m) => m.startsWith('SIP/2.0 180')) ? true : undefined,
        'the first call to ring',
      );
      const second = await pbx.answers(`second-${id}`, 0);
      expect(second).toEqual([]);
      pbx.send('INVITE', `second-${id}`);
      const refused = await until(
        async () => (await pbx.answers(`second-${id}`, 100)).find((m) => m.startsWith('SIP/2.0 503')),
        'the 503',
      );
      expect(refused).toMatch(/\r\nRetry-After: \d+\r\n/);
      expect(refused).toContain('\r\nReason: SIP;cause=503;text="ipbx max_concurrent_calls reached"\r\n');
      pbx.send('CANCEL', `first-${id}`);
      await until(
        async () =>
          (await pbx.answers(`first-${id}`, 100)).some((m) => m.startsWith('SIP/2.0 487')) ? true : undefined,
        'the 487',
      );
      pbx.send('INVITE', `third-${id}`);
      await until(
        async () =>
          (await pbx.answers(`third-${id}`, 100)).some((m) => m.startsWith('SIP/2.0 180')) ? true : undefined,
        'the third call to ring after the CANCEL',
      );
      pbx.send('CANCEL', `third-${id}`);
    } finally {
      await uas.stop();
      pbx.close();
    }
  });

  it('an IPBX limit of 1 is given back after a failure and after a BYE: calls one after another all pass', async () => {
    const w = await world({ ipbxes: 1, providers: [{}], ipbxLimits: { max_concurrent_calls: 1 } });
    const relay = await relays.start();
    const port = w.providers[0]!.port;
    const reject = await startSipp({
      scenario: 'uas-reject.xml',
      port,
      transport: 'udp',
      render: { __CODE__: '486' },
    });
    const busy = await startSipp(
      callerOptions(relay.port, w.ipbxes[0]!.port, {
        scenario: 'uac-expect.xml',
        render: { __CODE__: '486' },
      }),
    );
    expect((await busy.done).code).toBe(0);
    await reject.stop();
    for (let i = 0; i < 2; i++) {
      const uas = await startSipp({ scenario: 'uas-answer.xml', port, transport: 'udp' });
      const caller = await (await startSipp(callerOptions(relay.port, w.ipbxes[0]!.port))).done;
      await uas.stop();
      expect(caller.code, caller.output).toBe(0);
    }
    expect(await metricSample(relay.httpPort, 'tandem_relay_calls_total{code="503"}')).toBe(0);
  });

  it('a relay killed in the middle of a call: its lease ends after the lease ttl and the site admits again', async () => {
    // A customer limit of 1 over two IPBXs: the held call's sipp keeps the first IPBX's port.
    const w = await world({ ipbxes: 2, providers: [{}] });
    await stack.api('PATCH', `/v1/customers/${w.customer.id}`, {
      limits: { max_concurrent_calls: 1, max_cps: null },
    });
    const ttl = { TANDEM_LEASE_TTL_S: '3' };
    const [doomed, survivor] = [await site(ttl), await site(ttl)];
    const port = w.providers[0]!.port;
    const uas = await startSipp({
      scenario: 'uas-answer.xml',
      port,
      transport: 'udp',
      calls: 10,
      timeoutS: 60,
    });
    const held = await startSipp(
      callerOptions(doomed.port, w.ipbxes[0]!.port, { render: { __HOLD_MS__: '30000' }, timeoutS: 60 }),
    );
    const second = w.ipbxes[1]!.port;
    try {
      await until(
        async () => ((await attemptsTo([doomed.httpPort], w.providers[0]!.id)) === 1 ? true : undefined),
        'the held call',
      );
      await doomed.process.kill9();
      const refused = await (
        await startSipp(
          callerOptions(survivor.port, second, {
            scenario: 'uac-expect.xml',
            render: { __CODE__: '503' },
          }),
        )
      ).done;
      expect(refused.code, refused.output).toBe(0);
      await until(async () => {
        const caller = await (await startSipp(callerOptions(survivor.port, second))).done;
        return caller.code === 0 ? true : undefined;
      }, 'a call admitted after the dead relay lease ended');
    } finally {
      await held.stop();
      await uas.stop();
    }
  });

  it('max_cps holds within 10 % over 10 s, the rest get 503', async () => {
    const w = await world({ ipbxes: 1, providers: [{}], ipbxLimits: { max_cps: 10 } });
    const relay = await site();
    const uas = await startSipp({
      scenario: 'uas-answer.xml',
      port: w.providers[0]!.port,
      transport: 'udp',
      calls: 400,
      timeoutS: 40,
    });
    const uac = await startSipp(
      callerOptions(relay.port, w.ipbxes[0]!.port, { calls: 200, rate: 20, timeoutS: 40 }),
    );
    try {
      await uac.done;
      const answered = await metricSample(relay.httpPort, 'tandem_relay_calls_total{code="200"}');
      const refused = await metricSample(relay.httpPort, 'tandem_relay_calls_total{code="503"}');
      expect(answered + refused).toBe(200);
      expect(answered).toBeGreaterThanOrEqual(90);
      expect(answered).toBeLessThanOrEqual(110);
    } finally {
      await uas.stop();
    }
  });
});
