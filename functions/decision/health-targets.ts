import type { z } from '@hono/zod-openapi';
import type { HealthTarget, healthTargets as healthTargetsSchema } from '../../contract/health';
import { healthCheckSettings } from '../domain/health-check';
import type { StoredProvider } from '../domain/provider';
import { targetTls } from './engine/peer-tls';
import { uriHost } from './engine/sip-uri';

/**
 * Where and how a relay site probes one provider: its address as the decision's targets write it
 * (`sip:host:port;transport=…`, IPv6 in brackets, no user part), the TLS checks of its targets,
 * and every `health_check` setting (defaults where the stored provider predates them).
 *
 * @example
 * healthTarget(provider).uri; // 'sip:[2001:db8::1]:5061;transport=tls'
 */
export function healthTarget(p: StoredProvider): HealthTarget {
  const { enabled: _enabled, ...settings } = healthCheckSettings(p.health_check);
  const tls = targetTls(p);
  return {
    provider_id: p.id,
    uri: `sip:${uriHost(p.hostname)}:${p.port};transport=${p.transport}`,
    transport: p.transport,
    ...(tls ? { tls } : {}),
    ...settings,
  };
}

/**
 * `GET /v1/routing/health-targets`: every enabled provider whose `health_check` is enabled, in
 * the order given (the snapshot's: by id). A disabled provider is not probed: no call goes to it.
 *
 * @example
 * healthTargets(snapshot.global.providers.values());
 */
export function healthTargets(providers: Iterable<StoredProvider>): z.infer<typeof healthTargetsSchema> {
  const out: HealthTarget[] = [];
  for (const p of providers) if (p.enabled && p.health_check?.enabled) out.push(healthTarget(p));
  return { providers: out };
}
