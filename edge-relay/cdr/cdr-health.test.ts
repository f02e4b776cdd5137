import { afterEach, describe, expect, it } from 'vitest';
import { type HttpEndpoint, startHttpEndpoint } from '../metrics/http-endpoint';
import { type CdrHealth, cdrHealthDetail, cdrUnhealthy } from './cdr-health';
import { sampleCdrHealth as health } from './cdr-test-kit.fixture';

let endpoint: HttpEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

async function healthz(current: () => CdrHealth, draining = false) {
  endpoint = await startHttpEndpoint({
    address: '127.0.0.1',
    port: 0,
    draining: () => draining,
    metrics: async () => '',
    detail: () => cdrHealthDetail(current()),
    unhealthy: () => cdrUnhealthy(current()),
  });
  const response = await fetch(`http://127.0.0.1:${endpoint.port}/healthz`);
  return { status: response.status, body: await response.json() };
}

describe('CDR health on /healthz', () => {
  it('carries the spool and the shipper while healthy', async () => {
    expect(await healthz(() => health)).toEqual({
      status: 200,
      body: {
        status: 'ok',
        cdr: {
          level: 'ok',
          spool_bytes: 2048,
          cap_bytes: 1024 * 1024,
          pending_segments: 1,
          last_shipped_at: '2026-12-05T10:00:00.000Z',
          last_error: null,
          consecutive_failures: 0,
        },
      },
    });
  });

  it('answers 503 with the reason from 95 % of the cap (the spool refuses calls there)', async () => {
    const atRefusal = { ...health, level: 'filling' as const, spoolBytes: health.capBytes * 0.95 };
    expect(cdrUnhealthy(atRefusal)).toBe('cdr spool full');
    expect(cdrUnhealthy({ ...atRefusal, spoolBytes: health.capBytes * 0.94 })).toBe(false);
    const full = {
      ...health,
      level: 'full' as const,
      spoolBytes: health.capBytes,
      lastShippedAt: null,
      lastError: 'HTTP 503',
    };
    const { status, body } = await healthz(() => full);
    expect(status).toBe(503);
    expect(body).toMatchObject({
      status: 'unhealthy',
      reason: 'cdr spool full',
      cdr: { level: 'full', last_shipped_at: null, last_error: 'HTTP 503' },
    });
    expect(cdrUnhealthy({ ...health, level: 'filling' })).toBe(false);
  });

  it('still says draining first', async () => {
    const { status, body } = await healthz(() => ({ ...health, level: 'full' }), true);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'draining', cdr: { level: 'full' } });
  });
});
