import { z } from '@hono/zod-openapi';
import { id, name } from './common';

export const apiKeyInput = z
  .object({ customer_id: id, name: name.default('api key') })
  .openapi('ApiKeyInput');

/** A customer key as listed: the secret itself is shown once, at creation. */
export const apiKey = apiKeyInput
  .extend({ id, key_prefix: z.string(), tm_create: z.iso.datetime() })
  .openapi('ApiKey');
export const createdApiKey = apiKey.extend({ key: z.string() }).openapi('CreatedApiKey');

export type ApiKeyInput = z.infer<typeof apiKeyInput>;
export type ApiKey = z.infer<typeof apiKey>;
