import type { RouteTarget } from '../../../contract/decide';
import type { FailoverPattern } from '../../../contract/failover';
import type { StoredIpbx } from '../../domain/ipbx';
import type { StoredProvider } from '../../domain/provider';
import { providerAdmission } from './admission';
import type { Snapshot } from './compile-snapshot';
import { fromE164 } from './normalize';
import type { Candidate } from './order-routes';
import { targetTls } from './peer-tls';
import { uriHost } from './sip-uri';

/**
 * The default failover (docs/design.md, "Failover"): 404, every 5xx and every 6xx, as the
 * contract's code/class patterns (3 short strings instead of 201 numbers).
 */
export const DEFAULT_FAILOVER: readonly FailoverPattern[] = ['404', '5xx', '6xx'];

// A route's `failover_codes` (numbers in the API) lives as long as its snapshot: translate it once.
const translated = new WeakMap<readonly number[], FailoverPattern[]>();

/**
 * A route's failover codes (API numbers) as contract patterns.
 *
 * @example
 * failoverPatterns([486, 503]); // ['486', '503']
 */
export function failoverPatterns(codes: readonly number[]): FailoverPattern[] {
  let patterns = translated.get(codes);
  if (!patterns) {
    patterns = codes.map(String);
    translated.set(codes, patterns);
  }
  return patterns;
}

const IPBX_TIMERS = { provisional_ms: 2_000, final_ms: 60_000 };

/** The calling party as the call carries it: E.164, or `anonymous` when withheld. */
export type Identity = { caller: string; callee: string; privacy: boolean; sourceMediaAnchor: boolean };

function identityHeaders(caller: string, host: string, privacy: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  // Policy: assert the caller we authenticated (never what an untrusted party claimed); hide it on request.
  if (caller !== 'anonymous') headers['P-Asserted-Identity'] = `<sip:${caller}@${uriHost(host)}>`;
  if (privacy) headers['Privacy'] = 'id';
  return headers;
}

/** Caller and callee in the format of the endpoint's normalization profile (E.164 without one). */
function numbersFor(
  endpoint: { normalization_profile_id: string | null },
  call: Identity,
  snapshot: Snapshot,
): { caller: string; callee: string } {
  const profile = endpoint.normalization_profile_id
    ? snapshot.global.profiles.get(endpoint.normalization_profile_id)
    : undefined;
  const callee = fromE164(call.callee, 'callee', profile);
  return { caller: fromE164(call.caller, 'caller', profile), callee };
}

/**
 * One attempt towards a carrier: number in the provider's format with its
 * tech prefix/postfix in the Request-URI, its headers, timers and credentials,
 * and what the relay admits it by (its limits, passive health).
 */
export function providerTarget(
  c: Candidate,
  call: Identity,
  snapshot: Snapshot,
  defaults: { failover: readonly FailoverPattern[] },
): RouteTarget {
  const p: StoredProvider = c.provider;
  const { caller, callee } = numbersFor(p, call, snapshot);
  const target: RouteTarget = {
    kind: 'provider',
    id: p.id,
    route_id: c.route.id,
    uri: `sip:${p.tech_prefix}${callee}${p.tech_postfix}@${uriHost(p.hostname)}:${p.port};transport=${p.transport}`,
    transport: p.transport,
    callee,
    caller,
    headers: { ...p.tech_headers, ...identityHeaders(caller, p.hostname, call.privacy) },
    timers: { provisional_ms: p.timers.provisional_ms, final_ms: p.timers.final_ms },
    media_anchor: p.media_anchor || call.sourceMediaAnchor,
    codecs: p.codecs,
    dtmf_mode: p.dtmf_mode,
    credentials: p.credentials,
    failover_codes: (c.route.failover_codes
      ? failoverPatterns(c.route.failover_codes)
      : defaults.failover) as FailoverPattern[],
    reason: c.reason,
    ...providerAdmission(p),
  };
  if (p.transport === 'tls') target.tls = targetTls(p);
  return target;
}

/**
 * The single attempt of an inbound or on-net call: the DID's IPBX. No limits: the relay counts an
 * IPBX's calls on the side it calls from (the decision's `limits`), never as a target.
 */
export function ipbxTarget(
  ipbx: StoredIpbx,
  call: Identity,
  snapshot: Snapshot,
  reason: string,
): RouteTarget {
  const { caller, callee } = numbersFor(ipbx, call, snapshot);
  const target: RouteTarget = {
    kind: 'ipbx',
    id: ipbx.id,
    route_id: null,
    uri: `sip:${callee}@${uriHost(ipbx.hostname)}:${ipbx.port};transport=${ipbx.transport}`,
    transport: ipbx.transport,
    callee,
    caller,
    headers: identityHeaders(caller, ipbx.hostname, call.privacy),
    timers: IPBX_TIMERS,
    media_anchor: ipbx.media_anchor || call.sourceMediaAnchor,
    codecs: ipbx.codecs,
    dtmf_mode: ipbx.dtmf_mode,
    credentials: null,
    failover_codes: [],
    reason,
  };
  if (ipbx.transport === 'tls') target.tls = targetTls(ipbx);
  return target;
}
