import { z } from '@hono/zod-openapi';
import { detail, id, name, timestamps } from './common';

export const customerInput = z.object({ name, detail }).openapi('CustomerInput');
export const customer = customerInput.extend({ id, ...timestamps }).openapi('Customer');
export type CustomerInput = z.infer<typeof customerInput>;
export type Customer = z.infer<typeof customer>;
