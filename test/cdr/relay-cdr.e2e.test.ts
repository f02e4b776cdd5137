import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Cdr } from '../../contract/cdr';
import { freePort } from '../../platform/free-port';
import { CALLED, CALLING } from '../relay/support/basic-call';
import { bundleRelays } from '../relay/support/bundle-relays';
import { type FaultProxy, startFaultProxy } from '../relay/support/fault-proxy';
import { startSipp } from '../relay/support/sipp';
import { tandemConfig } from '../relay/support/tandem-config';
import { startApiProcess } from '../support/api-process';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * CDRs end to end, with the parts as deployed: the relay bundle under node (logging at info),
 * sipp as IPBX and carriers, the API on DynamoDB Local behind a TCP hop that can refuse
 * connections (fault-proxy.ts), or as a process of its own that a test freezes (SIGSTOP).
 */
let stack: TestStack;
let api: FaultProxy;
let relays: ReturnType<typeof bundleRelays>;
const prefix = `cdr-e2e-${randomBytes(4).toString('hex')}:`;

beforeAll(async () => {
  stack = await startTestStack();
  relays = bundleRelays(stack);
  api = await startFaultProxy(Number(new URL(stack.apiUrl).port));
});

afterAll(async () => {
  await relays?.killAll();
  await api?.close();
  await stack?.stop();
});

/** A relay bundle spooling to `spoolDir` and posting its CDRs through the fault proxy. */
const relay = (spoolDir: string, extra: Record<string, string> = {}) =>
  relays.start({
    TANDEM_CDR_URL: `http://127.0.0.1:${api.port}/v1/cdrs`,
    TANDEM_SPOOL_DIR: spoolDir,
    ...extra,
  });

const spool = () => mkdtempSync(join(tmpdir(), 'tandem-cdr-spool-'));

/** A customer whose IPBX reaches +82 through carrier A (priority 1) then carrier B. */
async function world() {
  const config = tandemConfig(stack);
  const customer = await config.customer();
  const [ipbxPort, aPort, bPort] = [await freePort(), await freePort(), await freePort()];
  const ipbx = await config.ipbx(customer.id, ipbxPort, 'udp');
  const a = await config.provider(aPort, 'udp');
  const b = await config.provider(bPort, 'udp');
  await config.route(customer.id, a.id, '+82', 1);
  await config.route(customer.id, b.id, '+82', 2);
  return { customer, ipbx, ipbxPort, a, aPort, b, bPort };
}
type World = Awaited<ReturnType<typeof world>>;

/** `calls` calls: carrier A answers 503, carrier B answers; the caller hangs up after `holdMs`. */
async function failoverCalls(w: World, relayPort: number, calls: number, holdMs = 300) {
  const a = await startSipp({
    scenario: 'uas-reject.xml',
    render: { __CODE__: '503' },
    port: w.aPort,
    transport: 'udp',
    calls,
  });
  const b = await startSipp({ scenario: 'uas-answer.xml', port: w.bPort, transport: 'udp', calls });
  const caller = await startSipp({
    scenario: 'uac-call.xml',
    render: { __HOLD_MS__: String(holdMs) },
    port: w.ipbxPort,
    transport: 'udp',
    remote: `127.0.0.1:${relayPort}`,
    service: CALLED,
    keys: { caller: CALLING },
    calls,
    rate: 10,
  });
  return { caller, a, b };
}

/** The customer's CDRs as the API lists them (every page). */
async function cdrsOf(customerId: string): Promise<Cdr[]> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const all: Cdr[] = [];
  let token = '';
  do {
    const page = await stack.api<{ result: Cdr[]; next_page_token: string }>(
      'GET',
      `/v1/cdrs?customer_id=${customerId}&from=${from}&to=${to}&page_size=100${token ? `&page_token=${token}` : ''}`,
    );
    all.push(...page.result);
    token = page.next_page_token;
  } while (token);
  return all;
}

/** Polls until the customer has `count` CDRs (a deadline, not a timing assertion). */
async function untilCdrs(customerId: string, count: number, ms = 60_000): Promise<Cdr[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await cdrsOf(customerId);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const spooledLines = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('cdr-'))
    .reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).length, 0);

describe('CDRs from the relay bundle to the API', () => {
  it('N calls failing over (A 503, B 200) → exactly N CDRs, each with both attempts, the codes and durations', async () => {
    const w = await world();
    const { port } = await relay(spool());
    const n = 8;
    const run = await failoverCalls(w, port, n);
    expect((await run.caller.done).code).toBe(0);
    const cdrs = await untilCdrs(w.customer.id, n);
    expect(cdrs).toHaveLength(n);
    expect(new Set(cdrs.map((c) => c.call_id)).size).toBe(n);
    for (const c of cdrs) {
      expect(c).toMatchObject({
        customer_id: w.customer.id,
        direction: 'outbound',
        source: { kind: 'ipbx', id: w.ipbx.id, transport: 'udp', port: w.ipbxPort },
        caller: CALLING,
        callee: CALLED,
        final_code: 200,
        refused: null,
        end_by: 'caller',
        end_reason: 'bye',
        media_anchored: false,
      });
      expect(c.attempts.map((a) => [a.target_id, a.code])).toEqual([
        [w.a.id, 503],
        [w.b.id, 200],
      ]);
      expect(c.tm_answer).not.toBeNull();
      expect(c.billsec).toBeGreaterThanOrEqual(0.3); // the caller holds the call 300 ms
      expect(c.duration_s).toBeGreaterThanOrEqual(c.billsec);
      expect(Date.parse(c.attempts[1]!.tm_start)).toBeGreaterThanOrEqual(Date.parse(c.attempts[0]!.tm_end));
    }
    await run.a.stop();
    await run.b.stop();
  });

  it('a call without a route → one CDR with its code and no attempt', async () => {
    const w = await world();
    const { port } = await relay(spool());
    const caller = await startSipp({
      scenario: 'uac-expect.xml',
      render: { __CODE__: '404' },
      port: w.ipbxPort,
      transport: 'udp',
      remote: `127.0.0.1:${port}`,
      service: '+442012345678',
      keys: { caller: CALLING },
    });
    expect((await caller.done).code).toBe(0);
    const [cdr, ...more] = await untilCdrs(w.customer.id, 1);
    expect(more).toEqual([]);
    expect(cdr).toMatchObject({
      final_code: 404,
      refused: 'no_route',
      customer_id: w.customer.id,
      direction: 'outbound',
      callee: '+442012345678',
      attempts: [],
      tm_answer: null,
      billsec: 0,
      end_by: null,
    });
  });

  it('the API frozen (SIGSTOP) while calls end: every CDR arrives once it runs again, none twice', async () => {
    const w = await world();
    const frozen = await startApiProcess(stack);
    try {
      const { port } = await relay(spool(), { TANDEM_CDR_URL: `${frozen.url}/v1/cdrs` });
      frozen.child.kill('SIGSTOP');
      try {
        const run = await failoverCalls(w, port, 5);
        expect((await run.caller.done).code).toBe(0);
        await run.a.stop();
        await run.b.stop();
        expect(await cdrsOf(w.customer.id)).toEqual([]);
      } finally {
        frozen.child.kill('SIGCONT');
      }
      const cdrs = await untilCdrs(w.customer.id, 5);
      expect(cdrs).toHaveLength(5);
      expect(new Set(cdrs.map((c) => c.call_id)).size).toBe(5);
    } finally {
      await frozen.stop();
    }
  });

  it('kill -9 with records spooled and the API down: replayed after the restart, none twice; a corrupt line is set aside', async () => {
    const w = await world();
    const dir = spool();
    const first = await relay(dir);
    api.set('refuse');
    try {
      const run = await failoverCalls(w, first.port, 5);
      expect((await run.caller.done).code).toBe(0);
      // Durable before anything else: every record is in the spool before the relay dies.
      const deadline = Date.now() + 20_000;
      while (spooledLines(dir) < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(spooledLines(dir)).toBe(5);
      await first.process.kill9();
      const segment = readdirSync(dir).find((f) => f.startsWith('cdr-'))!;
      appendFileSync(join(dir, segment), '{"id": "torn record\n');
      const second = await relay(dir);
      expect(second.process.output()).toContain('cdr spool open');
    } finally {
      api.set('pass');
    }
    const cdrs = await untilCdrs(w.customer.id, 5);
    expect(cdrs).toHaveLength(5);
    expect(new Set(cdrs.map((c) => c.call_id)).size).toBe(5);
    const rejected = join(dir, 'rejected');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !readdirSync(dir).includes('rejected'))
      await new Promise((r) => setTimeout(r, 50));
    const aside = readdirSync(rejected)
      .map((f) => readFileSync(join(rejected, f), 'utf8'))
      .join('');
    expect(aside).toContain('torn record');
  });

  it('a dialog past its lifetime closes as timeout, once', async () => {
    const w = await world();
    const { port } = await relay(spool(), { TANDEM_DIALOG_TTL_S: '5', TANDEM_DIALOG_EXPIRY_CHECK_S: '1' });
    const run = await failoverCalls(w, port, 1, 9_000);
    const [cdr, ...more] = await untilCdrs(w.customer.id, 1, 30_000);
    expect(more).toEqual([]);
    expect(cdr).toMatchObject({ final_code: 200, end_by: 'relay', end_reason: 'timeout' });
    expect(cdr!.billsec).toBeGreaterThanOrEqual(5);
    await run.caller.done; // its BYE (after 9 s) finds no dialog
    await run.a.stop();
    await run.b.stop();
    expect(await cdrsOf(w.customer.id)).toHaveLength(1);
  });

  it('two relays sharing Redis: the BYE through the other relay closes the record, once', async () => {
    const w = await world();
    const redis = { TANDEM_REDIS_URL: inject('redisUrl'), TANDEM_REDIS_PREFIX: prefix };
    const first = await relay(spool(), redis);
    const run = await failoverCalls(w, first.port, 1, 3_000);
    const answered = Date.now() + 15_000;
    while (!first.process.output().includes('"status":200') && Date.now() < answered)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // the ACK passes the first relay
    await first.process.kill9();
    await relay(spool(), { ...redis, TANDEM_SIP_PORT: String(first.port) });
    expect((await run.caller.done).code).toBe(0);
    const [cdr, ...more] = await untilCdrs(w.customer.id, 1);
    expect(more).toEqual([]);
    expect(cdr).toMatchObject({ final_code: 200, end_by: 'caller', end_reason: 'bye' });
    await run.a.stop();
    await run.b.stop();
  });
});
