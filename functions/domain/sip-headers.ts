import { z } from '@hono/zod-openapi';

/**
 * Headers the relay owns: a route or provider may not set them through
 * `tech_headers`, or it could break the dialog or spoof routing.
 */
const reservedHeaders = new Set([
  'via',
  'v',
  'from',
  'f',
  'to',
  't',
  'call-id',
  'i',
  'cseq',
  'contact',
  'm',
  'max-forwards',
  'route',
  'record-route',
  'content-length',
  'l',
  'content-type',
  'c',
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
]);

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!%'*+.^_`|~-]+$/, 'must be a SIP header name (RFC 3261 token)')
  .refine((n) => !reservedHeaders.has(n.toLowerCase()), { message: 'is a header the relay owns' });
const headerValue = z
  .string()
  .max(1024)
  .regex(/^[^\r\n\0]*$/, 'must not contain CR, LF or NUL');

/** Extra SIP headers added to each INVITE sent to a provider. */
export const techHeaders = z
  .record(headerName, headerValue)
  .default({})
  .openapi({ example: { 'X-Account': '1234' } });
