import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * `GET /metrics` of the Node server `npm start` runs (the API and the decision on one port), read
 * after real requests: counters by route template (never a raw path with an id), decisions by
 * action and reason, the decide latency and the snapshot figures.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

const metrics = async () => {
  const response = await fetch(`${stack.apiUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
};

/** The value of one series as printed (`name{labels}`), 0 when absent. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
};

describe('functions /metrics on the Node server', () => {
  it('counts API requests by method, route template and status, without ids in labels', async () => {
    const before = await metrics();
    const series = (method: string, route: string, status: number) =>
      `tandem_http_requests_total{method="${method}",route="${route}",status="${status}"}`;
    const customer = await stack.api<{ id: string }>('POST', '/v1/customers', { name: 'metrics' });
    expect((await stack.request('GET', `/v1/customers/${customer.id}`)).status).toBe(200);
    expect((await stack.request('GET', `/v1/customers/${customer.id}`)).status).toBe(200);
    const missing = crypto.randomUUID();
    expect((await stack.request('GET', `/v1/customers/${missing}`)).status).toBe(404);
    expect((await stack.request('GET', '/v1/customers', undefined, 'wrong-key')).status).toBe(401);
    expect((await stack.request('GET', '/v1/nothing-here')).status).toBe(404);
    expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(200);

    const text = await metrics();
    const grew = (s: string) => sample(text, s) - sample(before, s);
    expect(grew(series('POST', '/v1/customers', 201))).toBe(1);
    expect(grew(series('GET', '/v1/customers/:id', 200))).toBe(2);
    expect(grew(series('GET', '/v1/customers/:id', 404))).toBe(1);
    // Refused before its group ran: the group's pattern; no route at all: the scope it fell under.
    expect(grew(series('GET', '/v1/customers/*', 401))).toBe(1);
    expect(grew(series('GET', '/v1/*', 404))).toBe(1);
    expect((await fetch(`${stack.apiUrl}/no-such-page`)).status).toBe(404);
    const after = await metrics();
    expect(sample(after, series('GET', 'unmatched', 404))).toBeGreaterThanOrEqual(1);
    expect(grew(series('GET', '/healthz', 200))).toBe(1);
    expect(text).toContain('# TYPE tandem_http_request_duration_seconds histogram');
    expect(
      sample(text, 'tandem_http_request_duration_seconds_count{method="GET",route="/v1/customers/:id"}'),
    ).toBeGreaterThanOrEqual(3);
    // No raw path, id or key in any label.
    expect(text).not.toContain(customer.id);
    expect(text).not.toContain(missing);
    expect(text).not.toContain(stack.adminKey);
  });

  it('shows the decide latency and decisions by action and reason after a decide', async () => {
    const decide = (authorization: string, body: unknown) =>
      fetch(`${stack.apiUrl}/v1/routing/decide`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const request = {
      call_id: 'metrics-call-1',
      relay_id: 'relay-test',
      source: { ip: '192.0.2.250', port: 5060, transport: 'udp' },
      request_uri: 'sip:+821012345678@127.0.0.1',
      from: 'sip:+14155550100@192.0.2.250',
      to: 'sip:+821012345678@127.0.0.1',
    };
    const before = await metrics();
    const answer = await decide(`Bearer ${stack.relayToken}`, request);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ action: 'reject', reason: 'unknown_source' });
    expect((await decide('Bearer not-the-token', request)).status).toBe(401);

    const text = await metrics();
    const grew = (s: string) => sample(text, s) - sample(before, s);
    expect(grew('tandem_decisions_total{action="reject",reason="unknown_source"}')).toBe(1);
    expect(grew('tandem_decisions_total{action="error",reason="unauthorized"}')).toBe(1);
    expect(grew('tandem_decision_duration_seconds_count{action="reject"}')).toBe(1);
    expect(text).toContain('tandem_decision_duration_seconds_bucket{le="0.001",action="reject"}');
    expect(
      sample(text, 'tandem_decision_snapshot_compile_seconds_count{kind="build"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tandem_decision_snapshot_lookups_total{result="build"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^tandem_decision_snapshot_age_seconds \d/m);
  });
});
