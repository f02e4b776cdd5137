import type { LambdaEvent } from 'hono/aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { freshStore } from '../api/store-fixture';
import baseEvent from '../fixtures/lambda/function-url-event.json' with { type: 'json' };

const ADMIN = 'lambda-admin-key-0123456789';
const RELAY = 'lambda-relay-token-0123456789';

type Result = { statusCode?: number; body?: string };
type Handler = (e: LambdaEvent, context?: unknown) => Promise<Result>;

/** A Function URL (payload 2.0) event for `method path`. */
function event(method: string, path: string, key: string, body?: unknown): LambdaEvent {
  return {
    ...baseEvent,
    rawPath: path,
    requestContext: { ...baseEvent.requestContext, http: { ...baseEvent.requestContext.http, method, path } },
    headers: {
      ...baseEvent.headers,
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  } as unknown as LambdaEvent;
}

/**
 * Where AWS sends the relay's new routes: the decision function (its URL is the relay's
 * TANDEM_DECIDE_URL) serves the health targets; the API function (API Gateway `$default`)
 * serves both them and the status reports (infra/api.ts, infra/decision.ts).
 */
describe('the relay routes in the Lambda handlers', () => {
  let api: Handler;
  let decision: Handler;
  let providerId: string;
  beforeAll(async () => {
    const store = await freshStore();
    Object.assign(process.env, {
      TANDEM_ADMIN_KEY: ADMIN,
      TANDEM_RELAY_TOKEN: RELAY,
      TANDEM_NONCE_SECRET: 'lambda-nonce-secret-0123456789',
      TANDEM_TABLE_NAME: store.tableName,
      TANDEM_DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
    });
    api = (await import('../../functions/api/lambda')).handler as never;
    decision = (await import('../../functions/decision/lambda')).handler as never;
    const created = await api(
      event('POST', '/v1/providers', ADMIN, {
        name: 'probed',
        hostname: 'sip.probed.example',
        health_check: { enabled: true },
      }),
    );
    expect(created.statusCode).toBe(201);
    providerId = JSON.parse(created.body!).id;
  });

  it('decision function: GET /v1/routing/health-targets with the relay token', async () => {
    const res = await decision(event('GET', '/v1/routing/health-targets', RELAY), {});
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!).providers.map((t: { provider_id: string }) => t.provider_id)).toEqual([
      providerId,
    ]);
    expect((await decision(event('GET', '/v1/routing/health-targets', ADMIN), {})).statusCode).toBe(401);
  });

  it('API function: health targets, a status report and its read-back', async () => {
    const targets = await api(event('GET', '/v1/routing/health-targets', RELAY));
    expect(targets.statusCode).toBe(200);
    const report = {
      site: 'seoul',
      relay_id: 'relay-1',
      reported_at: new Date().toISOString(),
      providers: [
        {
          provider_id: providerId,
          state: 'down',
          since: new Date().toISOString(),
          down_by: 'probe',
          last_probe: null,
          attempts: { window_s: 60, total: 0, succeeded: 0 },
        },
      ],
    };
    const posted = await api(event('POST', '/v1/providers/status', RELAY, report));
    expect(posted.statusCode).toBe(200);
    const status = await api(event('GET', `/v1/providers/${providerId}/status`, ADMIN));
    expect(status.statusCode).toBe(200);
    expect(JSON.parse(status.body!).sites).toMatchObject([{ site: 'seoul', state: 'down', stale: false }]);
  });
});
