import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CUSTOMER_ID } from '../functions/domain';
import { startTestStack, type TestStack } from './support/stack';

describe('local stack', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('serves health, the default customer and the OpenAPI document on one node server', async () => {
    expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(200);
    await expect(stack.api('GET', `/v1/customers/${DEFAULT_CUSTOMER_ID}`)).resolves.toMatchObject({
      id: DEFAULT_CUSTOMER_ID,
    });
    const doc = (await (await fetch(`${stack.apiUrl}/v1/openapi.json`)).json()) as { openapi: string };
    expect(doc.openapi).toBe('3.1.0');
  });

  it('rejects a request without the admin key', async () => {
    expect((await stack.request('GET', '/v1/customers', undefined, 'wrong-key-wrong-key')).status).toBe(401);
  });

  it('has compiled its decision snapshot before it answers: the first decide never waits for a build', async () => {
    // The metrics registry is the process's: count the builds across the start of a fresh stack.
    const builds = async (url: string) =>
      Number(
        (await (await fetch(`${url}/metrics`)).text()).match(
          /^tandem_decision_snapshot_compile_seconds_count\{kind="build"\} (\d+)/m,
        )?.[1] ?? 0,
      );
    const before = await builds(stack.apiUrl);
    const fresh = await startTestStack();
    try {
      expect(await builds(fresh.apiUrl)).toBe(before + 1);
    } finally {
      await fresh.stop();
    }
  });

  it('stops: the API no longer answers', async () => {
    const other = await startTestStack();
    await other.stop();
    await expect(fetch(`${other.apiUrl}/healthz`)).rejects.toThrow();
  });
});
