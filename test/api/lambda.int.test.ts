import type { LambdaEvent } from 'hono/aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import baseEvent from '../fixtures/lambda/function-url-event.json' with { type: 'json' };
import { freshStore } from './store-fixture';

const ADMIN = 'lambda-admin-key-0123456789';

/** Function URL events are API Gateway payload 2.0 events; the fixture is a real one. */
type UrlEvent = Omit<typeof baseEvent, 'headers'> & {
  headers: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
};

/** The base event with the method, path and any other fields overridden. */
function event(overrides: Partial<UrlEvent> & { method?: string; path?: string }): LambdaEvent {
  const { method = 'GET', path = '/healthz', ...rest } = overrides;
  return {
    ...baseEvent,
    rawPath: path,
    requestContext: { ...baseEvent.requestContext, http: { ...baseEvent.requestContext.http, method, path } },
    ...rest,
    headers: { ...baseEvent.headers, ...rest.headers },
  } as unknown as LambdaEvent;
}

describe('Lambda handler', () => {
  let handler: (e: LambdaEvent) => Promise<{ statusCode?: number; body?: string; headers?: object }>;
  beforeAll(async () => {
    const store = await freshStore();
    process.env['TANDEM_ADMIN_KEY'] = ADMIN;
    process.env['TANDEM_TABLE_NAME'] = store.tableName;
    process.env['TANDEM_DYNAMODB_ENDPOINT'] = inject('dynamodbEndpoint');
    handler = (await import('../../functions/api/lambda')).handler as never;
  });

  it('answers a Function URL (payload 2.0) event: healthz', async () => {
    const res = await handler(event({}));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!)).toEqual({ status: 'ok' });
  });

  it('creates and lists through events, with auth', async () => {
    const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const created = await handler(
      event({
        method: 'POST',
        path: '/v1/customers',
        headers: auth,
        body: JSON.stringify({ name: 'via lambda' }),
      }),
    );
    expect(created.statusCode).toBe(201);
    const id = JSON.parse(created.body!).id;
    const listed = await handler(
      event({
        path: '/v1/customers',
        rawQueryString: 'page_size=100',
        headers: { authorization: `Bearer ${ADMIN}` },
      }),
    );
    expect(listed.statusCode).toBe(200);
    expect(JSON.parse(listed.body!).result.map((c: { id: string }) => c.id)).toContain(id);
    const denied = await handler(event({ path: '/v1/customers' }));
    expect(denied.statusCode).toBe(401);
  });

  it('reads a base64 body', async () => {
    const res = await handler(
      event({
        method: 'POST',
        path: '/v1/customers',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ name: 'b64' })).toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(res.statusCode).toBe(201);
  });
});
