import { randomUUID } from 'node:crypto';

/** One HTTP request as a test describes it; turned into the event AWS would deliver. */
export type HttpRequest = {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
};

const epoch = 1_767_225_600_000;

function common(request: HttpRequest, domainName: string) {
  const rawQueryString = new URLSearchParams(request.query ?? {}).toString();
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers: Record<string, string> = {
    accept: 'application/json',
    host: domainName,
    'user-agent': 'tandem-relay/0.1',
    'x-amzn-trace-id': `Root=1-${randomUUID().slice(0, 8)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    'x-forwarded-for': '198.51.100.7',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    ...(body === undefined
      ? {}
      : { 'content-type': 'application/json', 'content-length': String(body.length) }),
    ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const http = {
    method: request.method,
    path: request.path,
    protocol: 'HTTP/1.1',
    sourceIp: '198.51.100.7',
    userAgent: headers['user-agent'],
  };
  return { rawQueryString, body, headers, http };
}

/**
 * A Lambda Function URL event (payload format 2.0) exactly as AWS delivers it
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads).
 *
 * @example
 * functionUrlEvent({ method: 'GET', path: '/healthz' });
 */
export function functionUrlEvent(request: HttpRequest) {
  const urlId = 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6';
  const domainName = `${urlId}.lambda-url.eu-west-1.on.aws`;
  const { rawQueryString, body, headers, http } = common(request, domainName);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString,
    headers,
    ...(request.query ? { queryStringParameters: request.query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: urlId,
      domainName,
      domainPrefix: urlId,
      http,
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: epoch,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

/**
 * An API Gateway HTTP API event (payload format 2.0, `$default` route) as
 * AWS delivers it (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 *
 * @example
 * apiGatewayV2Event({ method: 'GET', path: '/v1/customers', headers: { authorization: 'Bearer k' } });
 */
export function apiGatewayV2Event(request: HttpRequest) {
  const apiId = 'r3pmxmplak';
  const domainName = `${apiId}.execute-api.eu-west-1.amazonaws.com`;
  const { rawQueryString, body, headers, http } = common(request, domainName);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString,
    headers,
    ...(request.query ? { queryStringParameters: request.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId,
      domainName,
      domainPrefix: apiId,
      http,
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: epoch,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

export type LambdaEvent = ReturnType<typeof functionUrlEvent> | ReturnType<typeof apiGatewayV2Event>;
