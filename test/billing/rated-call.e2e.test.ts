import { randomBytes } from 'node:crypto';
import { Big } from 'big.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RatedCdr } from '../../functions/cdr/rated-cdr';
import { freePort } from '../../platform/free-port';
import { CALLED, CALLING } from '../relay/support/basic-call';
import { bundleRelays } from '../relay/support/bundle-relays';
import { startSipp } from '../relay/support/sipp';
import { tandemConfig } from '../relay/support/tandem-config';
import { startTestStack, type TestStack } from '../support/stack';

// Calls through the relay bundle (under node, logging at info) with sipp as IPBX and carrier, the
// API and the decision on DynamoDB Local: each record is rated with the carrier's buy rate and the
// customer's sell rate in force at its start, across a rate change scheduled a moment ahead and
// applied with no import at its time.
let stack: TestStack;
let relays: ReturnType<typeof bundleRelays>;

beforeAll(async () => {
  stack = await startTestStack();
  relays = bundleRelays(stack);
});

afterAll(async () => {
  await relays?.killAll();
  await stack?.stop();
});

async function importDeck(owner: string, csv: string): Promise<void> {
  const response = await fetch(`${stack.apiUrl}/v1/rates?${owner}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'text/csv' },
    body: csv,
  });
  expect(response.status, await response.text()).toBe(200);
}

async function answeredRecords(customerId: string, count: number): Promise<RatedCdr[]> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const page = await stack.api<{ result: RatedCdr[] }>(
      'GET',
      `/v1/cdrs?customer_id=${customerId}&from=${from}&to=${to}&page_size=100`,
    );
    const answered = page.result.filter((c) => c.final_code === 200 && c.end_reason !== null);
    if (answered.length >= count || Date.now() > deadline) return answered;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Per-second billing (first and next increment 1 s) at `perMinute`: the amount of `billed` s. */
const perSecondAmount = (perMinute: string, billed: number) =>
  new Big(perMinute).times(billed).div(60).toFixed();

describe('a call through the relay, rated', () => {
  it('gets the buy and the sell rate in force at its start, before and after a scheduled change', async () => {
    const config = tandemConfig(stack);
    const customer = await config.customer();
    const [ipbxPort, carrierPort] = [await freePort(), await freePort()];
    await config.ipbx(customer.id, ipbxPort, 'udp');
    const carrier = await config.provider(carrierPort, 'udp');
    await config.route(customer.id, carrier.id, '+82', 1);
    const plan = await stack.api<{ id: string }>('POST', '/v1/rate-plans', {
      name: `plan-${randomBytes(3).toString('hex')}`,
      currency: 'EUR',
    });
    await stack.api('PATCH', `/v1/customers/${customer.id}`, { rate_plan_id: plan.id });
    const relay = await relays.start();

    const header = 'prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from';
    const buyNow = '+82,0.6,0,1,1,0,\n+8210,9,0,1,1,0,2030-01-01T00:00:00Z\n';
    const sellNow = '+82,1.8,0.05,1,1,0,\n';
    await importDeck(`provider_id=${carrier.id}`, `${header}\n${buyNow}`);
    await importDeck(`rate_plan_id=${plan.id}`, `${header}\n${sellNow}`);

    const call = async () => {
      const uas = await startSipp({ scenario: 'uas-answer.xml', port: carrierPort, transport: 'udp' });
      const uac = await startSipp({
        scenario: 'uac-call.xml',
        render: { __HOLD_MS__: '1200' },
        port: ipbxPort,
        transport: 'udp',
        remote: `127.0.0.1:${relay.port}`,
        service: CALLED,
        keys: { caller: CALLING },
      });
      const [caller, callee] = [await uac.done, await uas.done];
      expect(caller.code, caller.output).toBe(0);
      expect(callee.code, callee.output).toBe(0);
    };

    await call();
    const [before] = await answeredRecords(customer.id, 1);
    // Then a change a moment ahead (on a whole second), imported now: nothing is imported at its time.
    const changeAt = new Date(Math.ceil((Date.now() + 2_000) / 1000) * 1000).toISOString();
    await importDeck(`provider_id=${carrier.id}`, `${header}\n${buyNow}+82,1.2,0,1,1,0,${changeAt}\n`);
    await importDeck(`rate_plan_id=${plan.id}`, `${header}\n${sellNow}+82,3,0.05,1,1,0,${changeAt}\n`);
    expect(Date.parse(before!.tm_invite)).toBeLessThan(Date.parse(changeAt));
    while (Date.now() <= Date.parse(changeAt)) await new Promise((r) => setTimeout(r, 100));
    await call();
    const records = await answeredRecords(customer.id, 2);
    const after = records.find((r) => r.id !== before!.id)!;
    expect(Date.parse(after.tm_invite)).toBeGreaterThanOrEqual(Date.parse(changeAt));

    for (const [record, buy, sell, from] of [
      [before!, '0.6', '1.8', null],
      [after, '1.2', '3', changeAt],
    ] as const) {
      const billed = Math.ceil(record.billsec);
      expect(record.rating).toMatchObject({
        provider_id: carrier.id,
        rate_plan_id: plan.id,
        cost: {
          prefix: '+82',
          rate: buy,
          currency: 'USD',
          billed_s: billed,
          effective_from: from,
          amount: perSecondAmount(buy, billed),
        },
        price: {
          prefix: '+82',
          rate: sell,
          connect_fee: '0.05',
          currency: 'EUR',
          billed_s: billed,
          effective_from: from,
          amount: new Big(perSecondAmount(sell, billed)).plus('0.05').toFixed(),
        },
      });
    }
  });
});
