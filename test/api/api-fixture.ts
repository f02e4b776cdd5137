import { type AppDeps, createApp } from '../../functions/api';
import type { Store } from '../../functions/store';
import { freshStore } from './store-fixture';

export const ADMIN_KEY = 'test-admin-key-0123456789';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any shape, asserted by the tests
export type Json = any;
export type Reply = { status: number; body: Json; headers: Headers };

/** The app on a fresh table, and a small client: `call('POST', '/v1/routes', { body, key })`. */
export async function apiHarness(
  options: Pick<
    AppDeps,
    'decision' | 'cdrLog' | 'cdrExportMaxBytes' | 'cdrRetentionDays' | 'alertWebhook' | 'rerateBudgetMs'
  > = {},
) {
  const store: Store = await freshStore();
  const app = createApp({ store, adminKey: ADMIN_KEY, ...options });
  async function call(
    method: string,
    path: string,
    options: { body?: unknown; key?: string | null; raw?: string; contentType?: string } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    const key = options.key === undefined ? ADMIN_KEY : options.key;
    if (key !== null) headers['authorization'] = `Bearer ${key}`;
    let body: string | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, body: parsed, headers: res.headers };
  }
  /** Creates and returns a customer key. */
  async function customerKey(customerId: string): Promise<string> {
    const res = await call('POST', '/v1/api-keys', { body: { customer_id: customerId, name: 'test' } });
    if (res.status !== 201) throw new Error(`api key: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.key;
  }
  return { store, app, call, customerKey };
}
