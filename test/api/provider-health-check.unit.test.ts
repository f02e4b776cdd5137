import { describe, expect, it } from 'vitest';
import { healthTarget as healthTargetSchema } from '../../contract/health';
import {
  HEALTH_CHECK_DEFAULTS,
  healthCheck,
  healthCheckSettings,
  providerInput,
  storedProvider,
} from '../../functions/domain/provider';

const provider = { hostname: 'sip.carrier.example', name: 'carrier' };
const fields = (result: { error?: { issues: { path: PropertyKey[] }[] } | undefined }) =>
  (result.error?.issues ?? []).map((i) => i.path.join('.'));

describe('provider health_check settings', () => {
  it('fills every default, for an absent health_check and for a partial one', () => {
    const expected = {
      enabled: false,
      interval_s: 30,
      timeout_ms: 2000,
      down_after: 3,
      up_after: 2,
      alive_codes: ['2xx', '3xx', '4xx', '6xx'],
      passive_down_after: 3,
    };
    expect(providerInput.parse(provider).health_check).toEqual(expected);
    expect(providerInput.parse({ ...provider, health_check: { enabled: true } }).health_check).toEqual({
      ...expected,
      enabled: true,
    });
    expect(HEALTH_CHECK_DEFAULTS).toEqual(expected);
  });

  it('keeps what is given', () => {
    const given = {
      enabled: true,
      interval_s: 10,
      timeout_ms: 500,
      down_after: 5,
      up_after: 1,
      alive_codes: ['200', '404', '5xx'],
      passive_down_after: 10,
    };
    expect(healthCheck.parse(given)).toEqual(given);
  });

  it('refuses a timeout that is not less than the interval, naming timeout_ms', () => {
    const result = providerInput.safeParse({
      ...provider,
      health_check: { interval_s: 5, timeout_ms: 5000 },
    });
    expect(result.success).toBe(false);
    expect(fields(result)).toEqual(['health_check.timeout_ms']);
    expect(result.error?.issues[0]?.message).toContain('interval_s');
    expect(healthCheck.safeParse({ interval_s: 5, timeout_ms: 4999 }).success).toBe(true);
  });

  it('reports a bad interval alone, not as a timeout problem too', () => {
    expect(fields(healthCheck.safeParse({ interval_s: 'often', timeout_ms: 6000 }))).toEqual(['interval_s']);
    expect(fields(healthCheck.safeParse({ interval_s: 1, timeout_ms: 6000 }))).toEqual(['interval_s']);
  });

  it.each([
    ['timeout_ms', 99],
    ['timeout_ms', 30_001],
    ['timeout_ms', 150.5],
    ['down_after', 0],
    ['down_after', 21],
    ['up_after', 0],
    ['up_after', 21],
    ['passive_down_after', 0],
    ['passive_down_after', 101],
  ])('refuses %s = %s', (field, value) => {
    // A long interval, so only the field's own range is at stake.
    expect(fields(healthCheck.safeParse({ interval_s: 3600, [field]: value }))).toEqual([field]);
  });

  it('accepts the bounds', () => {
    for (const [field, value] of [
      ['timeout_ms', 100],
      ['timeout_ms', 30_000],
      ['down_after', 1],
      ['down_after', 20],
      ['up_after', 20],
      ['passive_down_after', 100],
    ] as const) {
      expect(healthCheck.safeParse({ interval_s: 3600, [field]: value }).success, `${field}=${value}`).toBe(
        true,
      );
    }
  });

  it('alive_codes: codes or classes of 2xx–6xx, at least one', () => {
    for (const good of ['200', '2xx', '404', '4xx', '503', '6xx', '699']) {
      expect(healthCheck.safeParse({ alive_codes: [good] }).success, good).toBe(true);
    }
    for (const bad of ['1xx', '100', '7xx', '20', '2000', '4XX', 'xxx', '', ' 200']) {
      expect(fields(healthCheck.safeParse({ alive_codes: ['200', bad] })), bad).toEqual(['alive_codes.1']);
    }
    expect(fields(healthCheck.safeParse({ alive_codes: [] }))).toEqual(['alive_codes']);
  });

  it('accepts exactly the alive codes the relay contract accepts', () => {
    const contract = healthTargetSchema.shape.alive_codes.element;
    for (const code of ['200', '2xx', '486', '6xx', '1xx', '7xx', '4XX', '20', 'abc']) {
      expect(healthCheck.safeParse({ alive_codes: [code] }).success, code).toBe(
        contract.safeParse(code).success,
      );
    }
  });
});

describe('stored providers from before the settings existed', () => {
  const old = { enabled: true, interval_s: 10 };

  it('still read as stored providers', () => {
    const stored = storedProvider.safeParse({
      ...providerInput.parse(provider),
      health_check: old,
      id: '3f1c0000-0000-4000-8000-000000000001',
      credentials: null,
      tm_create: '2026-01-01T00:00:00.000Z',
      tm_update: null,
      tm_delete: null,
    });
    expect(stored.success).toBe(true);
  });

  it('get the defaults for what they lack, and keep what they have', () => {
    expect(healthCheckSettings(old)).toEqual({ ...HEALTH_CHECK_DEFAULTS, enabled: true, interval_s: 10 });
    expect(healthCheckSettings({ ...old, down_after: 7 }).down_after).toBe(7);
    expect(healthCheckSettings(undefined)).toEqual(HEALTH_CHECK_DEFAULTS);
  });

  it('never share the default list between callers', () => {
    const a = healthCheckSettings(old);
    a.alive_codes.push('5xx');
    expect(healthCheckSettings(old).alive_codes).toEqual(['2xx', '3xx', '4xx', '6xx']);
  });
});
