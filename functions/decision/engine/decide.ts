import type {
  CallLimit,
  DecideRequest,
  DecideResponse,
  RefusedCall,
  RouteTarget,
} from '../../../contract/decide';
import type { FailoverPattern } from '../../../contract/failover';
import { parseDigestParams } from '../../../contract/sip/digest-params';
import { DEFAULT_CUSTOMER_ID } from '../../domain/common';
import type { StoredIpbx } from '../../domain/ipbx';
import type { StoredProvider } from '../../domain/provider';
import type { SkippedCandidate } from '../explain';
import { callLimits } from './admission';
import { matchSources, type SourceOwner } from './cidr-table';
import type { Snapshot } from './compile-snapshot';
import { findDid } from './did-lookup';
import { authenticate, nonceBinding } from './digest';
import { DEFAULT_FAILOVER, type Identity, ipbxTarget, providerTarget } from './egress';
import { callerIdVerdict, destinationRefusal, NO_RULES } from './fraud-policy';
import { type CompiledProfile, toE164 } from './normalize';
import { type OrderOptions, orderRoutes } from './order-routes';
import { clientCertRefusal } from './peer-tls';
import { hostOf, uriOfHeader, userOf } from './sip-uri';

export type DecideOptions = OrderOptions & {
  nonceSecret: string;
  nonceTtlS?: number;
  /** Failover codes/classes for routes without their own list (docs/design.md, "Failover"). */
  failover?: readonly FailoverPattern[];
  /** Simulate: the source is taken as authenticated (no digest round trip). */
  trustSource?: boolean;
};

/**
 * What simulate shows beside the answer: every skipped candidate, whether a
 * password was wrong, and the caller the customer's policy replaced; `digest`
 * names the accepted answer (nonce, nc, cnonce) so an adapter with shared
 * state can refuse its replay.
 */
export type Explanation = {
  skipped: SkippedCandidate[];
  authFailed: boolean;
  digest?: { nonce: string; nc: string; cnonce: string };
  callerReplaced?: { original: string; replacement: string };
};
export type Decision = { response: DecideResponse; explain: Explanation };

type Source = { kind: 'ipbx'; ipbx: StoredIpbx } | { kind: 'provider'; provider: StoredProvider };

/** A refusal; `call` is what was known of the call when it was refused (for its record). */
const reject = (
  code: number,
  reason: string,
  call?: RefusedCall,
  authFailed = false,
  skipped: SkippedCandidate[] = [],
): Decision => ({
  response: {
    action: 'reject',
    code,
    reason,
    ...(authFailed ? { auth_failed: true } : {}),
    ...(call ? { call } : {}),
  },
  explain: { skipped, authFailed },
});

type Identified = Source | { realm: string; ipbx: StoredIpbx } | { ambiguous: true };
const AMBIGUOUS = { ambiguous: true } as const;

/**
 * IP/port first; otherwise an IPBX known only by its digest credentials (realm + username).
 * When entries of several parties match the source (shared sources, or overlaps stored before
 * the ownership rule: docs/security.md), neither the most specific one nor table order
 * decides: only an IPBX with digest credentials may be chosen, by the credentials the caller names.
 */
function identify(request: DecideRequest, snapshot: Snapshot, trustSource: boolean): Identified | undefined {
  const g = snapshot.global;
  const owners = matchSources(g.sources, request.source.ip, request.source.port);
  const owner = owners[0];
  if (owner && owners.some((o) => o.party !== owner.party))
    return byCredentials(owners, request, g, trustSource);
  if (owner?.kind === 'provider') {
    const provider = g.providers.get(owner.id);
    return provider && { kind: 'provider', provider };
  }
  if (owner?.kind === 'ipbx') {
    const ipbx = g.ipbxs.get(owner.id);
    return ipbx && { kind: 'ipbx', ipbx };
  }
  const digest = request.authorization ? parseDigestParams(request.authorization) : undefined;
  if (digest?.realm && digest.username) {
    const ipbx = g.credentials.get(`${digest.realm}\n${digest.username}`);
    if (ipbx) return { kind: 'ipbx', ipbx };
  }
  // No header yet: a From domain that is the realm of an IPBX's credentials gets a challenge.
  const realm = hostOf(uriOfHeader(request.from));
  const ipbx = g.realms.get(realm);
  return ipbx ? { realm, ipbx } : undefined;
}

/**
 * A source several parties match: the IPBX with credentials among them whose realm and
 * username the caller answered with; before an answer, a challenge in the realm the From
 * domain names (or the one realm they all use). Anything else is ambiguous (403).
 */
function byCredentials(
  owners: readonly SourceOwner[],
  request: DecideRequest,
  g: Snapshot['global'],
  trustSource: boolean,
): Identified {
  const candidates: StoredIpbx[] = [];
  for (const o of owners) {
    const ipbx = o.kind === 'ipbx' ? g.ipbxs.get(o.id) : undefined;
    if (ipbx?.credentials && !candidates.includes(ipbx)) candidates.push(ipbx);
  }
  const digest = request.authorization ? parseDigestParams(request.authorization) : undefined;
  if (digest?.realm && digest.username) {
    const hits = candidates.filter(
      (i) => i.credentials!.realm === digest.realm && i.credentials!.username === digest.username,
    );
    const first = hits[0];
    return first && hits.every((h) => h.customer_id === first.customer_id)
      ? { kind: 'ipbx', ipbx: first }
      : AMBIGUOUS;
  }
  // Simulate takes the source as authenticated: with no credentials to go by, it cannot pick one.
  if (trustSource) return AMBIGUOUS;
  const enabled = candidates.filter((i) => i.enabled);
  const pool = enabled.length > 0 ? enabled : candidates;
  const fromRealm = hostOf(uriOfHeader(request.from));
  const firstRealm = pool[0]?.credentials?.realm;
  const onlyRealm = pool.every((i) => i.credentials!.realm === firstRealm);
  const pick = pool.find((i) => i.credentials!.realm === fromRealm) ?? (onlyRealm ? pool[0] : undefined);
  return pick ? { realm: pick.credentials!.realm, ipbx: pick } : AMBIGUOUS;
}

/**
 * The routing decision for one initial INVITE: identify the source, check its
 * pinned TLS client certificate and digest credentials, normalize the numbers, then route inbound (DID → IPBX),
 * on-net (callee is a DID) or outbound (ordered as docs/design.md, "Route selection"), a
 * customer's calls under its fraud policy (docs/admission.md). Pure: time and randomness come in
 * through `options`, the providers the relay's site holds down through the request.
 *
 * @example
 * const { response, explain } = decide(request, snapshot, { now: Date.now(), random: Math.random, nonceSecret });
 */
export function decide(request: DecideRequest, snapshot: Snapshot, options: DecideOptions): Decision {
  const found = identify(request, snapshot, options.trustSource === true);
  if (!found) return reject(403, 'unknown_source');
  if ('ambiguous' in found) return reject(403, 'ambiguous_source');
  const source: Source = 'realm' in found ? { kind: 'ipbx', ipbx: found.ipbx } : found;
  const entity = source.kind === 'ipbx' ? source.ipbx : source.provider;
  const known: RefusedCall = {
    // A provider's call belongs to a customer only once its DID is found.
    customer_id: source.kind === 'ipbx' ? source.ipbx.customer_id : null,
    direction: null,
    source_kind: source.kind,
    source_id: entity.id,
  };
  if (!entity.enabled) return reject(403, 'source_disabled', known);
  // Pinned client certificates (TLS only), before any challenge: simulate has no connection to check.
  const certRefusal = options.trustSource ? undefined : clientCertRefusal(request.source, entity);
  if (certRefusal) return reject(403, certRefusal, known);

  const digestUsed = source.kind === 'ipbx' && source.ipbx.credentials !== null && !options.trustSource;
  if (source.kind === 'ipbx' && source.ipbx.credentials && digestUsed) {
    const credentials = source.ipbx.credentials;
    const outcome = authenticate({
      authorization: request.authorization,
      method: request.method ?? 'INVITE',
      credentials,
      secret: options.nonceSecret,
      now: options.now,
      binding: nonceBinding(credentials.realm, request.call_id, request.source.ip),
      ttlS: options.nonceTtlS,
      ...(source.ipbx.digest_algorithms ? { algorithms: source.ipbx.digest_algorithms } : {}),
    });
    if (outcome.result === 'failed') return reject(403, 'auth_failed', known, true);
    if (outcome.result === 'challenge') {
      return {
        response: {
          action: 'challenge',
          realm: credentials.realm,
          nonce: outcome.nonce,
          algorithms: source.ipbx.digest_algorithms ?? ['SHA-256', 'MD5'],
          ...(source.ipbx.digest_algorithms ? { fixed: true } : {}),
          stale: outcome.stale,
        },
        explain: { skipped: [], authFailed: false },
      };
    }
  }

  const profile = entity.normalization_profile_id
    ? snapshot.global.profiles.get(entity.normalization_profile_id)
    : undefined;
  const callee = toE164(userOf(request.request_uri), 'callee', profile);
  if (!callee) return reject(484, 'invalid_callee', known);
  // The source is identified, hence trusted: its P-Asserted-Identity names the caller.
  const callerRaw = userOf(uriOfHeader(request.p_asserted_identity || request.from));
  // A caller that does not normalize (a PBX extension, a presentation name) goes on as received:
  // 484 is about the Request-URI, and refusing the call for its caller helps nobody.
  const caller = callerOf(callerRaw, profile) ?? callerRaw;
  const privacy = caller === 'anonymous' || /(^|;)\s*id\s*(;|$)/i.test(request.privacy ?? '');
  const call: Identity = { caller, callee, privacy, sourceMediaAnchor: entity.media_anchor };
  const down = request.down_providers;
  const decision =
    source.kind === 'provider'
      ? routeInbound(source.provider, call, snapshot)
      : routeOutbound(
          source.ipbx.customer_id,
          source.ipbx.id,
          call,
          snapshot,
          down && down.length > 0 ? { ...options, downProviders: new Set(down) } : options,
        );
  const refused = decision.response.action === 'reject' ? decision.response : undefined;
  if (refused?.call) refused.call = { ...refused.call, caller, callee };
  if (digestUsed && request.authorization) {
    const p = parseDigestParams(request.authorization);
    if (p?.nonce && p.nc && p.cnonce)
      decision.explain.digest = { nonce: p.nonce, nc: p.nc, cnonce: p.cnonce };
  }
  return decision;
}

function callerOf(raw: string, profile: CompiledProfile | undefined): string | undefined {
  if (raw.toLowerCase() === 'anonymous' || raw === '') return 'anonymous';
  return toE164(raw, 'caller', profile);
}

function routeInbound(provider: StoredProvider, call: Identity, snapshot: Snapshot): Decision {
  const source = { source_kind: 'provider', source_id: provider.id } as const;
  const did = findDid(snapshot.global, call.callee);
  if (!did) return reject(404, 'no_did', { ...source, customer_id: null, direction: 'inbound' });
  const context = { ...source, customer_id: did.customer_id, direction: 'inbound', did: did.number } as const;
  const ipbx = snapshot.global.ipbxs.get(did.ipbx_id);
  if (!ipbx?.enabled) return reject(404, 'ipbx_unavailable', context);
  return routed(
    context,
    call,
    [ipbxTarget(ipbx, call, snapshot, `did=${did.number}${did.range ? ' range' : ''}`)],
    [],
  );
}

/**
 * A call the customer originates (from its IPBX `sourceId`; simulate's customer form passes the
 * customer's id): on-net when the callee is a DID, else outbound. Its policy applies first
 * (docs/admission.md, "Fraud policy"): the destination (outbound only), then the caller ID; the
 * answer carries its limits and maximum duration.
 */
export function routeOutbound(
  customerId: string,
  sourceId: string,
  call: Identity,
  snapshot: Snapshot,
  options: DecideOptions,
): Decision {
  const g = snapshot.global;
  const rules = g.customers.get(customerId) ?? NO_RULES;
  const did = findDid(g, call.callee);
  const source = { customer_id: customerId, source_kind: 'ipbx' as const, source_id: sourceId };
  const context = did
    ? ({ ...source, direction: 'onnet', did: did.number } as const)
    : ({ ...source, direction: 'outbound' } as const);
  // On-net calls never leave for a carrier: destination rules are about what calls cost abroad.
  const refusal = did
    ? undefined
    : destinationRefusal(call.callee, rules, g.customers.get(DEFAULT_CUSTOMER_ID));
  if (refusal) return reject(403, refusal, context);
  const verdict = callerIdVerdict(call.caller, rules, (n) => findDid(g, n)?.customer_id === customerId);
  if (verdict.result === 'refused') return reject(403, verdict.reason, context);
  // A replaced caller is what every target writes (P-Asserted-Identity included) and what the call records.
  const placed = verdict.result === 'replaced' ? { ...call, caller: verdict.caller } : call;
  const admission: Admission = {
    limits: callLimits(g.ipbxs.get(sourceId), rules),
    maxDurationS: rules.maxDurationS,
  };
  const decision = routeFor(customerId, did, context, placed, snapshot, options, admission);
  if (placed !== call)
    decision.explain.callerReplaced = { original: call.caller, replacement: placed.caller };
  return decision;
}

type Context = {
  customer_id: string;
  direction: 'inbound' | 'outbound' | 'onnet';
  source_kind: 'ipbx' | 'provider';
  source_id: string;
  did?: string;
};
/** What the relay admits a routed call by: the caller side's limits, the customer's maximum duration. */
type Admission = { limits: CallLimit[] | undefined; maxDurationS: number | undefined };

function routeFor(
  customerId: string,
  did: ReturnType<typeof findDid>,
  context: Context,
  call: Identity,
  snapshot: Snapshot,
  options: DecideOptions,
  admission: Admission,
): Decision {
  if (did) {
    const ipbx = snapshot.global.ipbxs.get(did.ipbx_id);
    if (!ipbx?.enabled) return reject(404, 'ipbx_unavailable', context);
    const reason = `onnet did=${did.number}${did.range ? ' range' : ''}`;
    return routed(context, call, [ipbxTarget(ipbx, call, snapshot, reason)], [], admission);
  }
  const { chosen, skipped } = orderRoutes(snapshot, customerId, call.callee, options);
  if (chosen.length === 0) return reject(404, 'no_route', context, false, skipped);
  const defaults = { failover: options.failover ?? DEFAULT_FAILOVER };
  const targets = chosen.map((c) => providerTarget(c, call, snapshot, defaults));
  return routed(context, call, targets, skipped, admission);
}

function routed(
  context: Context,
  call: Identity,
  targets: RouteTarget[],
  skipped: SkippedCandidate[],
  admission?: Admission,
): Decision {
  return {
    response: {
      action: 'route',
      call: { ...context, caller: call.caller, callee: call.callee },
      targets,
      ...(admission?.limits ? { limits: admission.limits } : {}),
      ...(admission?.maxDurationS !== undefined ? { max_duration_s: admission.maxDurationS } : {}),
    },
    explain: { skipped, authFailed: false },
  };
}
