import type { DecideHandler } from './decide-handler';

/** The part of a Lambda Function URL / API Gateway v2 (payload 2.0) event the decide path reads. */
export type HttpEventV2 = {
  rawPath?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
};

export type HttpResultV2 = {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
};

export const DECIDE_PATH = '/v1/routing/decide';

/** Whether an event is `POST /v1/routing/decide` (both event kinds carry rawPath and the method). */
export const isDecideEvent = (event: HttpEventV2): boolean =>
  event.rawPath === DECIDE_PATH && event.requestContext?.http?.method === 'POST';

/**
 * Answers a decide event straight from the Lambda event: no router, no
 * Request/Response objects. Both event kinds give lower-case header names.
 *
 * @example
 * if (isDecideEvent(event)) return decideFromEvent(handle, event);
 */
export async function decideFromEvent(handle: DecideHandler, event: HttpEventV2): Promise<HttpResultV2> {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const reply = await handle(event.headers?.['authorization'], body);
  return {
    statusCode: reply.status,
    headers: { 'content-type': reply.contentType },
    body: reply.body,
    isBase64Encoded: false,
  };
}
