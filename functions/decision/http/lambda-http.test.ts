import { describe, expect, it } from 'vitest';
import type { DecideHandler } from './decide-handler';
import { decideFromEvent, isDecideEvent } from './lambda-http';

const seen: [string | undefined, string][] = [];
const handler: DecideHandler = async (authorization, body) => {
  seen.push([authorization, body]);
  return { status: 401, contentType: 'application/problem+json', body: '{"status":401}' };
};
const event = (method: string, rawPath: string, body?: string, isBase64Encoded = false) => ({
  rawPath,
  headers: { authorization: 'Bearer t' },
  body,
  isBase64Encoded,
  requestContext: { http: { method } },
});

describe('decide straight from a Lambda HTTP event (payload 2.0)', () => {
  it('recognizes only POST /v1/routing/decide', () => {
    expect(isDecideEvent(event('POST', '/v1/routing/decide'))).toBe(true);
    expect(isDecideEvent(event('GET', '/v1/routing/decide'))).toBe(false);
    expect(isDecideEvent(event('POST', '/healthz'))).toBe(false);
  });

  it('hands over the header and the (base64-decoded) body and returns the reply as a result', async () => {
    const result = await decideFromEvent(
      handler,
      event('POST', '/v1/routing/decide', Buffer.from('{"a":1}').toString('base64'), true),
    );
    expect(seen).toEqual([['Bearer t', '{"a":1}']]);
    expect(result).toEqual({
      statusCode: 401,
      headers: { 'content-type': 'application/problem+json' },
      body: '{"status":401}',
      isBase64Encoded: false,
    });
  });
});
