import { describe, expect, it } from 'vitest';
import { healthTargets as healthTargetsSchema } from '../../contract/health';
import { baseProvider, provider } from '../../functions/decision/engine/test-fixtures';
import { healthTarget, healthTargets } from '../../functions/decision/health-targets';
import { HEALTH_CHECK_DEFAULTS } from '../../functions/domain/provider';

const probed = { enabled: true, interval_s: 10 };

describe('health targets', () => {
  it('lists enabled providers with health checks on, in the given order', () => {
    const list = healthTargets([
      provider(1, { health_check: probed }),
      provider(2),
      provider(3, { health_check: probed, enabled: false }),
      provider(4, { health_check: { ...probed, timeout_ms: 900 } }),
    ]);
    expect(list.providers.map((t) => t.provider_id)).toEqual([provider(1).id, provider(4).id]);
    expect(healthTargetsSchema.parse(list)).toEqual(list);
  });

  it('writes the address as the decision writes a target: no user part, port, transport', () => {
    expect(healthTarget(provider(1, { health_check: probed })).uri).toBe(
      'sip:sip.carrier-1.example:5060;transport=udp',
    );
    expect(
      healthTarget(
        provider(1, { hostname: '2001:db8::5', port: 5080, transport: 'tcp', health_check: probed }),
      ).uri,
    ).toBe('sip:[2001:db8::5]:5080;transport=tcp');
  });

  it('gives TLS targets the checks of the provider’s tls settings', () => {
    const tls = healthTarget({ ...baseProvider, transport: 'tls', port: 5061, health_check: probed });
    expect(tls).toMatchObject({ transport: 'tls', tls: { verify: true } });
    const optOut = healthTarget({
      ...baseProvider,
      transport: 'tls',
      tls: { verify_server: false, ca_pem: null, client_cert_sha256: [] },
      health_check: probed,
    });
    expect(optOut.tls).toEqual({ verify: false });
    expect(healthTarget({ ...baseProvider, health_check: probed })).not.toHaveProperty('tls');
  });

  it('carries every setting, defaults where the stored provider predates them', () => {
    const { enabled: _e, ...defaults } = HEALTH_CHECK_DEFAULTS;
    expect(healthTarget(provider(1, { health_check: probed }))).toEqual({
      provider_id: provider(1).id,
      uri: 'sip:sip.carrier-1.example:5060;transport=udp',
      transport: 'udp',
      ...defaults,
      interval_s: 10,
    });
    expect(
      healthTarget(provider(1, { health_check: { ...probed, alive_codes: ['200'], passive_down_after: 9 } })),
    ).toMatchObject({ alive_codes: ['200'], passive_down_after: 9 });
  });
});
