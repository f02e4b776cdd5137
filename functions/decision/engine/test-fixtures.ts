import type { DecideRequest } from '../../../contract/decide';
import { DEFAULT_CUSTOMER_ID } from '../../domain/common';
import { type Customer, type CustomerPolicy, defaultCustomerPolicy } from '../../domain/customer';
import type { Did } from '../../domain/did';
import type { StoredIpbx } from '../../domain/ipbx';
import type { NormalizationProfile } from '../../domain/normalization-profile';
import type { StoredProvider } from '../../domain/provider';
import type { Route } from '../../domain/route';

/** Base objects for engine tests: spread overrides into them. */
export const uid = (n: number | string) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const ACME = uid('acme'.length * 111);
export const DEFAULT = DEFAULT_CUSTOMER_ID;
const times = { tm_create: '2026-01-01T00:00:00.000Z', tm_update: null, tm_delete: null };

export const baseProfile: NormalizationProfile = {
  id: uid(900),
  customer_id: DEFAULT,
  name: 'korea',
  detail: '',
  country_code: '82',
  national_prefix: '0',
  international_prefix: '00',
  egress_format: 'national',
  rules: [],
  ...times,
};

export const baseIpbx: StoredIpbx = {
  id: uid(100),
  customer_id: ACME,
  name: 'acme pbx',
  digest_algorithms: null,
  detail: '',
  hostname: 'pbx.acme.example',
  port: 5060,
  transport: 'udp',
  enabled: true,
  allowed_sources: [{ cidr: '198.51.100.10' }],
  shared_source: false,
  credentials: null,
  limits: { max_concurrent_calls: null, max_cps: null },
  media_anchor: false,
  codecs: { allow: [], transcode: [] },
  dtmf_mode: 'rfc2833',
  normalization_profile_id: null,
  ...times,
};

export const baseProvider: StoredProvider = {
  id: uid(200),
  type: 'sip',
  hostname: 'sip.carrier-a.example',
  port: 5060,
  transport: 'udp',
  tech_prefix: '',
  tech_postfix: '',
  tech_headers: {},
  name: 'carrier a',
  detail: '',
  enabled: true,
  allowed_sources: [],
  credentials: null,
  limits: { max_concurrent_calls: null, max_cps: null },
  media_anchor: false,
  codecs: { allow: [], transcode: [] },
  dtmf_mode: 'rfc2833',
  normalization_profile_id: null,
  timers: { provisional_ms: 2_000, final_ms: 60_000 },
  health_check: { enabled: false, interval_s: 30 },
  rate_deck_version: null,
  ...times,
};

/** Providers A..F: uid(201)…, hostnames carrier-a… */
export const provider = (n: number, over: Partial<StoredProvider> = {}): StoredProvider => ({
  ...baseProvider,
  id: uid(200 + n),
  name: `carrier ${n}`,
  hostname: `sip.carrier-${n}.example`,
  ...over,
});

let routeSeq = 0;
export const route = (over: Partial<Route> & Pick<Route, 'provider_id'>): Route => ({
  id: uid(5000 + ++routeSeq),
  customer_id: ACME,
  name: 'route',
  detail: '',
  priority: 1,
  target: 'all',
  enabled: true,
  weight: 100,
  lcr: false,
  exclude_negative_margin: false,
  time_windows: [],
  failover_codes: null,
  ...times,
  ...over,
});

export const did = (over: Partial<Did> & Pick<Did, 'number'>): Did => ({
  id: uid(7000 + over.number.length + Number(over.number.slice(-4))),
  customer_id: ACME,
  range: false,
  ipbx_id: baseIpbx.id,
  name: '',
  detail: '',
  ...times,
  ...over,
});

export const baseRequest: DecideRequest = {
  call_id: 'call-1@pbx',
  source: { ip: '198.51.100.10', port: 5060, transport: 'udp' },
  request_uri: 'sip:+821012345678@relay.example',
  from: '"Alice" <sip:+12125550100@pbx.acme.example>;tag=1',
  to: '<sip:+821012345678@relay.example>',
};

/** A customer with the defaults (no limits, a policy that changes nothing) and `policy` merged one level deep. */
export const customer = (
  id: string,
  over: { limits?: Customer['limits']; policy?: Partial<CustomerPolicy>; rate_plan_id?: string | null } = {},
): Customer => {
  const policy = defaultCustomerPolicy();
  return {
    id,
    name: `customer ${id.slice(-4)}`,
    detail: '',
    limits: over.limits ?? { max_concurrent_calls: null, max_cps: null },
    policy: { ...policy, ...over.policy },
    billing: { mode: 'postpaid', credit_limit: null, daily_spend_limit: null },
    rate_plan_id: over.rate_plan_id ?? null,
    ...times,
  };
};
