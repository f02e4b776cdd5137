import type { z } from '@hono/zod-openapi';
import {
  apiKey,
  apiKeyInput,
  customer,
  customerInput,
  did,
  didInput,
  domain,
  domainInput,
  ipbx,
  ipbxInput,
  normalizationProfile,
  normalizationProfileInput,
  provider,
  providerInput,
  ratePlan,
  ratePlanInput,
  route,
  routeInput,
} from '../domain';

export type ConfigKind =
  | 'customer'
  | 'ipbx'
  | 'provider'
  | 'did'
  | 'domain'
  | 'normalization_profile'
  | 'route'
  | 'rate_plan';
export type ResourceKind = ConfigKind | 'api_key';

/**
 * `field` holds the id of a `kind` object. Writing takes a reference (its
 * counter goes up in the same transaction); the target cannot be deleted
 * while counted. `owner`: whose object the target must be. `many`: the field
 * is a dotted path to a list of ids (each one counted once).
 */
export type Reference = {
  field: string;
  kind: ResourceKind;
  owner: 'any' | 'same-customer' | 'same-or-default-customer';
  many?: true;
};

/** A value unique system-wide (DID number, domain name), held by a guard item. */
export type Guard = { name: string; field: string };

/**
 * Everything the generic repository and the generic API routes need to know
 * about one resource; there is no per-resource storage code.
 */
export type ResourceDef = {
  kind: ResourceKind;
  /** URL segment under /v1. */
  path: string;
  singular: string;
  plural: string;
  /** Create schema: also validates PUT and the merged PATCH. */
  input: z.ZodType;
  /** What API reads show. */
  view: z.ZodType;
  /** customer: owned by `customer_id`; global: operator-owned (providers); tenant: the customer itself. */
  scope: 'customer' | 'global' | 'tenant';
  references: Reference[];
  guards: Guard[];
  credentials: boolean;
  /** Equality filters lists accept (besides customer_id). */
  filters: string[];
  /** Stored fields API reads never show. */
  hidden: string[];
  /** Has `allowed_sources`: writes go through the source registry (sources.ts). */
  sources?: boolean;
  /**
   * Global kinds only: the customer field naming the one object of this kind a customer key may
   * read (its list holds just that one, any other is a 404). Unset: customer keys read them all.
   */
  namedByCustomer?: string;
};

const customerRef: Reference = { field: 'customer_id', kind: 'customer', owner: 'any' };
const profileRef: Reference = {
  field: 'normalization_profile_id',
  kind: 'normalization_profile',
  owner: 'same-or-default-customer',
};

const base = { references: [], guards: [], credentials: false, filters: [], hidden: [] };

export const resources = {
  customer: {
    ...base,
    kind: 'customer',
    path: 'customers',
    singular: 'customer',
    plural: 'customers',
    input: customerInput,
    view: customer,
    scope: 'tenant',
    // A fraud policy names the providers its calls may use, and its calls are priced with a rate
    // plan: neither can be deleted while named.
    references: [
      { field: 'policy.allowed_provider_ids', kind: 'provider', owner: 'any', many: true },
      { field: 'rate_plan_id', kind: 'rate_plan', owner: 'any' },
    ],
  },
  provider: {
    ...base,
    kind: 'provider',
    path: 'providers',
    singular: 'provider',
    plural: 'providers',
    input: providerInput,
    view: provider,
    scope: 'global',
    references: [profileRef],
    credentials: true,
    sources: true,
  },
  ipbx: {
    ...base,
    kind: 'ipbx',
    path: 'ipbxs',
    singular: 'ipbx',
    plural: 'ipbxs',
    input: ipbxInput,
    view: ipbx,
    scope: 'customer',
    references: [customerRef, profileRef],
    credentials: true,
    sources: true,
  },
  did: {
    ...base,
    kind: 'did',
    path: 'dids',
    singular: 'did',
    plural: 'dids',
    input: didInput,
    view: did,
    scope: 'customer',
    references: [customerRef, { field: 'ipbx_id', kind: 'ipbx', owner: 'same-customer' }],
    guards: [{ name: 'did_number', field: 'number' }],
    filters: ['number'],
  },
  domain: {
    ...base,
    kind: 'domain',
    path: 'domains',
    singular: 'domain',
    plural: 'domains',
    input: domainInput,
    view: domain,
    scope: 'customer',
    references: [customerRef],
    guards: [{ name: 'domain_name', field: 'name' }],
    filters: ['name'],
  },
  normalization_profile: {
    ...base,
    kind: 'normalization_profile',
    path: 'normalization-profiles',
    singular: 'normalization profile',
    plural: 'normalization profiles',
    input: normalizationProfileInput,
    view: normalizationProfile,
    scope: 'customer',
    references: [customerRef],
  },
  route: {
    ...base,
    kind: 'route',
    path: 'routes',
    singular: 'route',
    plural: 'routes',
    input: routeInput,
    view: route,
    scope: 'customer',
    references: [customerRef, { field: 'provider_id', kind: 'provider', owner: 'any' }],
    filters: ['target', 'provider_id'],
  },
  rate_plan: {
    ...base,
    kind: 'rate_plan',
    path: 'rate-plans',
    singular: 'rate plan',
    plural: 'rate plans',
    input: ratePlanInput,
    view: ratePlan,
    // Operator-owned like providers, but a plan is a price list: a customer key reads only the
    // plan its own customer is priced with, and only the operator writes them.
    scope: 'global',
    namedByCustomer: 'rate_plan_id',
  },
  api_key: {
    ...base,
    kind: 'api_key',
    path: 'api-keys',
    singular: 'api key',
    plural: 'api keys',
    input: apiKeyInput,
    view: apiKey,
    scope: 'customer',
    references: [customerRef],
    guards: [{ name: 'api_key_hash', field: 'key_hash' }],
    hidden: ['key_hash'],
  },
} as const satisfies Record<ResourceKind, ResourceDef>;

/** Kinds whose objects point at `kind` (what blocks deleting one). */
export function referrersOf(kind: ResourceKind): { kind: ResourceKind; plural: string }[] {
  return Object.values(resources as Record<ResourceKind, ResourceDef>)
    .filter((def) => def.references.some((r) => r.kind === kind))
    .map((def) => ({ kind: def.kind, plural: def.plural }));
}

/** The item attribute that counts references from `referrer` objects. */
export const refCountAttribute = (referrer: ResourceKind) => `ref_${referrer}`;
