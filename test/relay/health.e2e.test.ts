import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { callerOptions } from './support/basic-call';
import { bundleRelays } from './support/bundle-relays';
import { metricSample } from './support/metrics';
import { startSipp } from './support/sipp';
import { tandemConfig } from './support/tandem-config';

// Provider health as deployed: relay bundles under node at info, the decision of the test stack,
// a primary carrier that goes silent and comes back, sipp as the IPBX and the backup carrier.
const prefix = `health-${randomBytes(4).toString('hex')}:`;
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

/**
 * The primary carrier: silent (answers nothing), or alive (OPTIONS 200, INVITE 503 so the call
 * still reaches the backup). Keeps the source port of every OPTIONS it got.
 */
async function primaryCarrier(port: number) {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(port, '127.0.0.1', () => r()));
  let alive = false;
  const optionsFrom: number[] = [];
  const invites: string[] = [];
  socket.on('message', (message, from) => {
    const text = message.toString('latin1');
    const method = text.slice(0, text.indexOf(' '));
    if (method === 'OPTIONS') optionsFrom.push(from.port);
    if (method === 'INVITE') invites.push(text);
    if (!alive || (method !== 'OPTIONS' && method !== 'INVITE')) return;
    const head = text.split('\r\n\r\n')[0]!.split('\r\n');
    const keep = head.filter((l) => /^(via|from|to|call-id|cseq):/i.test(l));
    const status = method === 'OPTIONS' ? '200 OK' : '503 Service Unavailable';
    const reply = [
      `SIP/2.0 ${status}`,
      ...keep.map((l) => (/^to:/i.test(l) ? `${l};tag=primary` : l)),
      'Content-Length: 0',
    ];
    socket.send(Buffer.from(`${reply.join('\r\n')}\r\n\r\n`, 'latin1'), from.port, from.address);
  });
  return {
    optionsFrom,
    invites,
    setAlive: (value: boolean) => {
      alive = value;
    },
    close: () => socket.close(),
  };
}

async function until<T>(check: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('provider health', () => {
  it('a silent primary is marked down by one relay of two and calls go to the backup without trying it; it comes back after its answers', async () => {
    const config = tandemConfig(stack);
    const customer = await config.customer();
    const ipbxPort = await freePort();
    await config.ipbx(customer.id, ipbxPort, 'udp');
    const [primaryPort, backupPort] = [await freePort(), await freePort()];
    const primary = await config.provider(primaryPort, 'udp');
    await stack.api('PATCH', `/v1/providers/${primary.id}`, {
      health_check: { enabled: true, interval_s: 5, timeout_ms: 1000, down_after: 1, up_after: 1 },
    });
    const backup = await config.provider(backupPort, 'udp');
    await config.route(customer.id, primary.id, '+82', 1);
    await config.route(customer.id, backup.id, '+82', 2);
    const carrier = await primaryCarrier(primaryPort);
    const env = { TANDEM_REDIS_URL: redisUrl, TANDEM_REDIS_PREFIX: prefix };
    const [a, b] = [await relays.start(env), await relays.start(env)];
    const up = (port: number) => metricSample(port, `tandem_provider_up{provider="${primary.id}"}`);
    try {
      // Down on both relays within interval_s × down_after (+ the probe's timeout).
      await until(
        async () => ((await up(a.httpPort)) === 0 && (await up(b.httpPort)) === 0 ? true : undefined),
        'down',
      );
      expect(new Set(carrier.optionsFrom).size).toBe(1);
      const leaders =
        (await metricSample(a.httpPort, 'tandem_health_leader')) +
        (await metricSample(b.httpPort, 'tandem_health_leader'));
      expect(leaders).toBe(1);

      // The call goes to the backup first: the primary gets no INVITE, so no provisional wait.
      const uas = await startSipp({ scenario: 'uas-answer.xml', port: backupPort, transport: 'udp' });
      const caller = await (await startSipp(callerOptions(a.port, ipbxPort))).done;
      await uas.stop();
      expect(caller.code, caller.output).toBe(0);
      expect(carrier.invites).toEqual([]);

      // Alive again: up after one answered probe, and tried first again.
      carrier.setAlive(true);
      await until(
        async () => ((await up(a.httpPort)) === 1 && (await up(b.httpPort)) === 1 ? true : undefined),
        'up',
      );
      const again = await startSipp({ scenario: 'uas-answer.xml', port: backupPort, transport: 'udp' });
      const second = await (await startSipp(callerOptions(b.port, ipbxPort))).done;
      await again.stop();
      expect(second.code, second.output).toBe(0);
      expect(carrier.invites).toHaveLength(1);

      // The site's state as the API shows it, reported by the probing relay.
      const status = await until(async () => {
        const s = await stack.api<{ sites: { site: string; state: string }[] }>(
          'GET',
          `/v1/providers/${primary.id}/status`,
        );
        return s.sites.some((x) => x.state === 'up') ? s : undefined;
      }, 'a status report');
      expect(status.sites.map((s) => s.site)).toEqual(['default']);
    } finally {
      carrier.close();
    }
  }, 120_000);

  it('passive health: a primary that answers 503 to passive_down_after calls in a row is passed over from the next call', async () => {
    const config = tandemConfig(stack);
    const customer = await config.customer();
    const ipbxPort = await freePort();
    await config.ipbx(customer.id, ipbxPort, 'udp');
    const [primaryPort, backupPort] = [await freePort(), await freePort()];
    const primary = await config.provider(primaryPort, 'udp');
    // Probes an hour apart: only the calls' own attempts can mark it down within this test.
    await stack.api('PATCH', `/v1/providers/${primary.id}`, {
      health_check: { enabled: true, interval_s: 3600, passive_down_after: 2 },
    });
    const backup = await config.provider(backupPort, 'udp');
    await config.route(customer.id, primary.id, '+82', 1);
    await config.route(customer.id, backup.id, '+82', 2);
    const carrier = await primaryCarrier(primaryPort);
    carrier.setAlive(true);
    const relay = await relays.start({ TANDEM_REDIS_URL: redisUrl, TANDEM_REDIS_PREFIX: prefix });
    try {
      // The relay knows the provider's health settings once it has read its targets.
      await until(
        async () =>
          (await metricSample(relay.httpPort, `tandem_provider_up{provider="${primary.id}"}`)) === 1
            ? true
            : undefined,
        'the health targets',
      );
      for (let i = 0; i < 3; i++) {
        const uas = await startSipp({ scenario: 'uas-answer.xml', port: backupPort, transport: 'udp' });
        const caller = await (await startSipp(callerOptions(relay.port, ipbxPort))).done;
        await uas.stop();
        expect(caller.code, caller.output).toBe(0);
      }
      expect(carrier.invites).toHaveLength(2);
      expect(await metricSample(relay.httpPort, `tandem_provider_up{provider="${primary.id}"}`)).toBe(0);
    } finally {
      carrier.close();
    }
  }, 120_000);
});
