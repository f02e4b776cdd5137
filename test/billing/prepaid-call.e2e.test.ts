import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cdr } from '../../contract/cdr';
import { compareMoney, subtractMoney } from '../../functions/billing/money';
import { freePort } from '../../platform/free-port';
import { CALLED, CALLING } from '../relay/support/basic-call';
import { bundleRelays } from '../relay/support/bundle-relays';
import { startSipp } from '../relay/support/sipp';
import { tandemConfig } from '../relay/support/tandem-config';
import { udpPeer } from '../relay/support/udp-peer';
import { startTestStack, type TestStack } from '../support/stack';

// A prepaid customer end to end, with the parts as deployed: the relay bundle under node, sipp as
// IPBX and carrier, the API and the decision on DynamoDB Local. Its plan charges 1 a minute by the
// second, its balance pays 3 s: the call is cut after 3 s with a BYE to both sides, its record
// draws the balance down to zero (or one increment below: the moments between the cut and the
// record), and a second call while the first holds the money is refused with 403 and a Reason.
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

type Balance = {
  balance: string;
  held: string;
  movements: { kind: string; amount: string; cdr_id?: string }[];
};

async function until<T>(check: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function cdrsOf(customerId: string): Promise<Cdr[]> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const page = await stack.api<{ result: Cdr[] }>(
    'GET',
    `/v1/cdrs?customer_id=${customerId}&from=${from}&to=${to}&page_size=100`,
  );
  return page.result;
}

/** A prepaid customer on a plan of 1/min billed per second (first and next increment 1 s). */
async function prepaidWorld() {
  const config = tandemConfig(stack);
  const customer = await config.customer();
  const [ipbxPort, providerPort] = [await freePort(), await freePort()];
  await config.ipbx(customer.id, ipbxPort, 'udp');
  const provider = await config.provider(providerPort, 'udp');
  await config.route(customer.id, provider.id, '+82', 1);
  const plan = await stack.api<{ id: string }>('POST', '/v1/rate-plans', {
    name: `per-second-${randomBytes(3).toString('hex')}`,
    currency: 'USD',
  });
  const imported = await fetch(`${stack.apiUrl}/v1/rates?rate_plan_id=${plan.id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'text/csv' },
    body: 'prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s\n+82,1,0,1,1,0\n',
  });
  expect(imported.status, await imported.text()).toBe(200);
  await stack.api('PATCH', `/v1/customers/${customer.id}`, {
    billing: { mode: 'prepaid', daily_spend_limit: null },
    rate_plan_id: plan.id,
  });
  // 3 s at 1 a minute.
  await stack.api('POST', `/v1/customers/${customer.id}/balance`, { amount: '0.05', note: 'three seconds' });
  return { customer, ipbxPort, providerPort };
}

describe('a prepaid call through the relay', () => {
  it('is cut after the time its balance pays, drawn down once; a second call meanwhile is refused', async () => {
    const w = await prepaidWorld();
    const relay = await relays.start();
    const balance = () => stack.api<Balance>('GET', `/v1/customers/${w.customer.id}/balance`);
    // A second IPBX of the customer, for the call placed while the first holds the money.
    const pbx = await udpPeer('127.0.0.1', relay.port);
    await tandemConfig(stack).ipbx(w.customer.id, pbx.port, 'udp');

    const uas = await startSipp({
      scenario: 'uas-answer.xml',
      port: w.providerPort,
      transport: 'udp',
      timeoutS: 30,
    });
    const uac = await startSipp({
      scenario: 'uac-call-remote-bye.xml',
      port: w.ipbxPort,
      transport: 'udp',
      remote: `127.0.0.1:${relay.port}`,
      service: CALLED,
      keys: { caller: CALLING },
      timeoutS: 30,
    });
    try {
      // The first call's decision holds the whole balance before it routes the call.
      await until(async () => ((await balance()).held === '0.05' ? true : undefined), 'the hold');

      // The second IPBX calls meanwhile: nothing is left for it.
      const id = `second-${randomBytes(4).toString('hex')}`;
      pbx.send('INVITE', id);
      const refused = await until(
        async () => (await pbx.answers(id, 100)).find((m) => /^SIP\/2\.0 [3-6]/.test(m)),
        'the refusal',
      );
      expect(refused.split('\r\n')[0]).toBe('SIP/2.0 403 insufficient_credit');
      expect(refused).toContain('\r\nReason: SIP;cause=403;text="insufficient_credit"\r\n');

      // The relay ends the first call: a BYE to the caller and one to the carrier.
      const [caller, callee] = [await uac.done, await uas.done];
      expect(caller.code, caller.output).toBe(0);
      expect(callee.code, callee.output).toBe(0);
    } finally {
      await uac.stop();
      await uas.stop();
      pbx.close();
    }

    const record = await until(async () => {
      const found = (await cdrsOf(w.customer.id)).find((c) => c.final_code === 200);
      return found?.end_reason ? found : undefined;
    }, 'the record');
    expect(record).toMatchObject({ end_reason: 'max_duration', end_by: 'relay' });
    expect(Number(record.billsec)).toBeGreaterThanOrEqual(3);

    // Charged once when the record arrived: the hold is gone, the balance at 0 or one second below.
    const after = await until(async () => {
      const b = await balance();
      return b.held === '0' && b.balance !== '0.05' ? b : undefined;
    }, 'the charge');
    expect(compareMoney(after.balance, '0')).toBeLessThanOrEqual(0);
    expect(compareMoney(after.balance, '-0.016667')).toBeGreaterThanOrEqual(0);
    expect(after.movements.filter((m) => m.kind === 'call')).toEqual([
      expect.objectContaining({ cdr_id: record.id, amount: subtractMoney(after.balance, '0.05') }),
    ]);
  });
});
