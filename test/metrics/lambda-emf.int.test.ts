import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { freshStore } from '../api/store-fixture';
import { functionUrlEvent, type HttpRequest } from '../infra/lambda-events';

const ADMIN = 'emf-admin-key-0123456789';
const RELAY = 'emf-relay-token-0123456789';

type Result = { statusCode?: number; body?: string };
type Handler = (event: unknown, context: unknown) => Promise<Result>;
type EmfLine = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
};

/** Runs one invocation as AWS would (a Function URL event) and returns its EMF lines on stdout. */
async function invoke(handler: Handler, request: HttpRequest): Promise<{ result: Result; lines: EmfLine[] }> {
  const written: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    written.push(String(line));
  });
  try {
    const result = await handler(functionUrlEvent(request), { awsRequestId: crypto.randomUUID() });
    const lines = written.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as EmfLine);
    return { result, lines };
  } finally {
    log.mockRestore();
  }
}

const withMetric = (lines: EmfLine[], name: string) =>
  lines.find((l) => l._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === name));

describe('CloudWatch embedded-metric-format lines of the Lambda handlers', () => {
  let api: Handler;
  let decision: Handler;
  beforeAll(async () => {
    const store = await freshStore();
    Object.assign(process.env, {
      TANDEM_ADMIN_KEY: ADMIN,
      TANDEM_RELAY_TOKEN: RELAY,
      TANDEM_NONCE_SECRET: 'emf-nonce-secret-0123456789',
      TANDEM_TABLE_NAME: store.tableName,
      TANDEM_DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
    });
    api = (await import('../../functions/api/lambda')).handler as never;
    decision = (await import('../../functions/decision/lambda')).handler as never;
  });
  afterEach(() => vi.restoreAllMocks());

  it('the decision: one invocation, its decide (action, reason, latency) and the snapshot it built', async () => {
    const { result, lines } = await invoke(decision, {
      method: 'POST',
      path: '/v1/routing/decide',
      headers: { authorization: `Bearer ${RELAY}` },
      body: {
        call_id: 'emf-call-1',
        source: { ip: '192.0.2.251', port: 5060, transport: 'udp' },
        request_uri: 'sip:+821012345678@relay.example',
        from: 'sip:+14155550100@192.0.2.251',
        to: 'sip:+821012345678@relay.example',
      },
    });
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!)).toMatchObject({ action: 'reject', reason: 'unknown_source' });
    const decided = withMetric(lines, 'Decisions')!;
    expect(decided).toMatchObject({
      Function: 'decision',
      Action: 'reject',
      Reason: 'unknown_source',
      Decisions: 1,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'Tandem',
            Dimensions: [['Function', 'Action', 'Reason']],
            Metrics: [
              { Name: 'Decisions', Unit: 'Count' },
              { Name: 'DecideDuration', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
    });
    expect(decided['DecideDuration']).toBeGreaterThan(0);
    expect(Math.abs(decided._aws.Timestamp - Date.now())).toBeLessThan(60_000);
    expect(withMetric(lines, 'SnapshotCompileTime')).toMatchObject({ Kind: 'build' });
    expect(withMetric(lines, 'SnapshotLookups')).toMatchObject({ Result: 'build', SnapshotLookups: 1 });
    expect(withMetric(lines, 'SnapshotAge')).toMatchObject({ Function: 'decision' });
    // Nothing of the call in the metric lines: no number, no call id.
    expect(JSON.stringify(lines)).not.toContain('+1415');
    expect(JSON.stringify(lines)).not.toContain('emf-call-1');
  });

  it('the API: its request by route template and status, flushed with each invocation', async () => {
    const missing = crypto.randomUUID();
    const first = await invoke(api, {
      method: 'GET',
      path: `/v1/customers/${missing}`,
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(first.result.statusCode).toBe(404);
    // Its request, and the snapshot age (the API function decides nothing but holds a snapshot).
    const requests = (lines: EmfLine[]) => lines.filter((l) => 'Requests' in l);
    expect(requests(first.lines)).toHaveLength(1);
    expect(requests(first.lines)[0]).toMatchObject({
      Function: 'api',
      Route: 'GET /v1/customers/:id',
      Status: '404',
      Requests: 1,
    });
    expect(JSON.stringify(first.lines)).not.toContain(missing);
    // The next invocation starts a new batch: one request, not two.
    const second = await invoke(api, { method: 'GET', path: '/healthz' });
    expect(requests(second.lines)).toEqual([
      expect.objectContaining({ Route: 'GET /healthz', Status: '200', Requests: 1 }),
    ]);
  });
});
