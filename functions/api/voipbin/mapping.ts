import type { Principal } from '../../http/auth';
import { badRequest, type Doc, HttpError } from '../../store';
import type {
  VoipbinHealthStatus,
  VoipbinProvider,
  VoipbinProviderWrite,
  VoipbinRoute,
  VoipbinRouteCreate,
} from './schemas';

/**
 * Pure translations between VoIPBIN's route and provider shapes and Tandem's
 * (docs/voipbin-compat.md). Tandem's ids are UUIDs (v4), as VoIPBIN's are, so ids pass unchanged.
 */

/** VoIPBIN's "has not happened" time (`tm_update` of an object never updated, `tm_delete` of a live one). */
export const NOT_YET = '9999-01-01T00:00:00.000000Z';

/**
 * The name Tandem gives a route created without one (functions/domain/route.ts): VoIPBIN's unnamed
 * route (`""`, which Tandem's names refuse) is stored under it and read back as `""`.
 */
export const UNNAMED_ROUTE = 'route';

/**
 * A Tandem time (ISO 8601, milliseconds) in VoIPBIN's form (microseconds); null → NOT_YET.
 *
 * @example
 * voipbinTime('2026-01-15T09:30:00.123Z'); // '2026-01-15T09:30:00.123000Z'
 */
export function voipbinTime(iso: string | null | undefined): string {
  if (!iso) return NOT_YET;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!match) return new Date(iso).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  return `${match[1]}.${(match[2] ?? '').padEnd(6, '0')}Z`;
}

/** An object's times in VoIPBIN's form. */
function timesOf(doc: Doc): { tm_create: string; tm_update: string; tm_delete: string } {
  return {
    tm_create: voipbinTime(doc.tm_create),
    tm_update: voipbinTime(doc['tm_update'] as string | null | undefined),
    tm_delete: voipbinTime(doc['tm_delete'] as string | null | undefined),
  };
}

/** A stored Tandem route as VoIPBIN shows it: its fields only (Tandem's own are read at /v1/routes). */
export function routeToVoipbin(route: Doc): VoipbinRoute {
  const name = String(route['name'] ?? '');
  return {
    id: route.id,
    customer_id: String(route['customer_id']),
    name: name === UNNAMED_ROUTE ? '' : name,
    detail: String(route['detail'] ?? ''),
    provider_id: String(route['provider_id']),
    priority: Number(route['priority']),
    target: String(route['target']),
    ...timesOf(route),
  };
}

/**
 * The customer a VoIPBIN route body is for: the one it names, else the key's own. The operator
 * has no customer of its own, so it must name one (the default customer for system-wide routes).
 */
export function routeOwner(customerId: string | undefined, principal: Principal): string {
  if (customerId !== undefined) return customerId;
  if (principal.kind === 'customer') return principal.customerId;
  throw badRequest('the operator key must name the customer of the route', [
    {
      field: 'customer_id',
      message: 'is required with the operator key (00000000-0000-0000-0000-000000000001: system-wide)',
    },
  ]);
}

/**
 * VoIPBIN's route fields as Tandem's (same names; the empty name is Tandem's unnamed route).
 * Without a customer (a PUT that names none) the stored one stays.
 */
export function routeFromVoipbin(
  body: VoipbinRouteCreate,
  customerId: string | undefined,
): Record<string, unknown> {
  return {
    ...(customerId === undefined ? {} : { customer_id: customerId }),
    name: body.name === '' ? UNNAMED_ROUTE : body.name,
    detail: body.detail,
    provider_id: body.provider_id,
    priority: body.priority,
    target: body.target,
  };
}

/** `"PCMU, PCMA"` → `['PCMU', 'PCMA']`; empty → no restriction. */
export function parseCodecs(codecs: string): string[] {
  return codecs
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/**
 * VoIPBIN's provider fields as Tandem's, over the stored provider for a PUT. `codecs` is Tandem's
 * `codecs.allow`, which only anchored media (rtpengine) can apply: a restriction on a provider
 * without `media_anchor` would be a promise not kept, so it is refused naming `codecs`.
 */
export function providerFromVoipbin(
  body: VoipbinProviderWrite,
  stored: Doc | undefined,
): Record<string, unknown> {
  const allow = parseCodecs(body.codecs);
  if (allow.length > 0 && stored?.['media_anchor'] !== true) {
    throw badRequest('a codec restriction needs anchored media', [
      {
        field: 'codecs',
        message:
          'applies only to a provider whose media Tandem anchors: set media_anchor with PATCH /v1/providers/{id} first, or send ""',
      },
    ]);
  }
  const storedCodecs = stored?.['codecs'] as { transcode?: string[] } | undefined;
  return {
    type: body.type,
    hostname: body.hostname,
    tech_prefix: body.tech_prefix,
    tech_postfix: body.tech_postfix,
    tech_headers: body.tech_headers,
    name: body.name,
    detail: body.detail,
    codecs: { allow, transcode: storedCodecs?.transcode ?? [] },
  };
}

/** What relay sites last reported of a provider (store/provider-status.ts), as far as VoIPBIN's view needs it. */
export type SiteHealth = {
  state: 'up' | 'down';
  stale: boolean;
  last_probe: { at: string } | null;
};

/**
 * VoIPBIN's `health_status` and `health_checked_at` from the sites' reports: a provider any site
 * reports down within the last minute is `unhealthy`, one reported up is `healthy`, one no site
 * reported lately is `unknown`; the time is the latest probe among those reports.
 */
export function healthOf(sites: readonly SiteHealth[]): {
  health_status: VoipbinHealthStatus;
  health_checked_at: string | null;
} {
  const fresh = sites.filter((s) => !s.stale);
  const status: VoipbinHealthStatus = fresh.some((s) => s.state === 'down')
    ? 'unhealthy'
    : fresh.length > 0
      ? 'healthy'
      : 'unknown';
  const probes = fresh.flatMap((s) => (s.last_probe ? [s.last_probe.at] : [])).sort();
  const last = probes.at(-1);
  return { health_status: status, health_checked_at: last ? voipbinTime(last) : null };
}

/** A stored Tandem provider as VoIPBIN shows it. */
export function providerToVoipbin(
  provider: Doc,
  health: ReturnType<typeof healthOf> = healthOf([]),
): VoipbinProvider {
  const codecs = provider['codecs'] as { allow?: string[] } | undefined;
  return {
    id: provider.id,
    type: 'sip',
    hostname: String(provider['hostname']),
    tech_prefix: String(provider['tech_prefix'] ?? ''),
    tech_postfix: String(provider['tech_postfix'] ?? ''),
    tech_headers: (provider['tech_headers'] as Record<string, string> | undefined) ?? {},
    metadata: {},
    codecs: (codecs?.allow ?? []).join(','),
    ...health,
    name: String(provider['name']),
    detail: String(provider['detail'] ?? ''),
    ...timesOf(provider),
  };
}

/**
 * A page token that answers an empty last page. VoIPBIN clients page until a page comes back
 * empty, sending each `next_page_token` back; Tandem's own last page has an empty token, which
 * would start them over from the first page, forever.
 */
export const END_OF_LIST = 'end';

/** VoIPBIN's `next_page_token` for a page: Tandem's, or END_OF_LIST after the last non-empty page. */
export function nextPageToken(itemCount: number, tandemToken: string): string {
  if (tandemToken !== '') return tandemToken;
  return itemCount > 0 ? END_OF_LIST : '';
}

/**
 * Tandem's field errors under VoIPBIN's names: `codecs.allow.0` is VoIPBIN's `codecs`. Other
 * fields carry the same names on both sides.
 */
export function inVoipbinTerms(error: unknown): never {
  if (error instanceof HttpError && error.errors?.some((e) => e.field.startsWith('codecs.'))) {
    throw new HttpError(
      error.status,
      error.title,
      error.detail,
      error.errors.map((e) => (e.field.startsWith('codecs.') ? { ...e, field: 'codecs' } : e)),
    );
  }
  throw error;
}
