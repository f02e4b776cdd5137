/**
 * The resource screens, one row each: the API path, the list's columns and the form's fields.
 * Every screen is drawn from this table (resource-view.tsx); the API validates.
 */

export type Field =
  | { name: string; label: string; type: 'text' | 'number'; required?: boolean; hint?: string }
  /** `initial`: what a create form starts with (the API's default for the field). */
  | { name: string; label: string; type: 'boolean'; initial?: boolean }
  | { name: string; label: string; type: 'select'; options: readonly string[] }
  /** The id of an object of another resource, chosen from its list. */
  | { name: string; label: string; type: 'ref'; path: string; required?: boolean }
  /** A list or object field, written as JSON. */
  | { name: string; label: string; type: 'json'; hint?: string };

export type Column = { name: string; label: string; ref?: string };

export type ResourceScreen = {
  path: string;
  title: string;
  singular: string;
  columns: Column[];
  fields: Field[];
  /** Only the operator key writes these (customer keys read them, or their own one). */
  operatorWrites?: boolean;
};

const transport = {
  name: 'transport',
  label: 'Transport',
  type: 'select',
  options: ['udp', 'tcp', 'tls'],
} as const;
const customerRef = {
  name: 'customer_id',
  label: 'Customer',
  type: 'ref',
  path: 'customers',
  required: true,
} as const;
const sources = {
  name: 'allowed_sources',
  label: 'Allowed sources (JSON)',
  type: 'json',
  hint: 'e.g. [{"cidr": "192.0.2.10"}]',
} as const;

/** A nested setting written as JSON; the API names what is wrong in it at the field. */
const json = (name: string, label: string, hint: string): Field => ({
  name,
  label: `${label} (JSON)`,
  type: 'json',
  hint,
});
const limits = json(
  'limits',
  'Limits',
  'e.g. {"max_concurrent_calls": 30, "max_cps": 5} (docs/admission.md)',
);
const credentials = json(
  'credentials',
  'Digest credentials',
  'e.g. {"username": "acme", "password": "…"}; shown without the password, so send it again to change them',
);
const codecs = json(
  'codecs',
  'Codecs',
  'e.g. {"allow": ["PCMA", "PCMU"], "transcode": []} (with media anchoring)',
);

export const screens: ResourceScreen[] = [
  {
    path: 'customers',
    title: 'Customers',
    singular: 'customer',
    operatorWrites: true,
    columns: [
      { name: 'name', label: 'Name' },
      { name: 'id', label: 'ID' },
      { name: 'rate_plan_id', label: 'Rate plan', ref: 'rate-plans' },
    ],
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'detail', label: 'Detail', type: 'text' },
      { name: 'rate_plan_id', label: 'Rate plan', type: 'ref', path: 'rate-plans' },
      limits,
      json(
        'policy',
        'Fraud policy',
        'destinations, allowed providers, caller ID, max call duration (docs/admission.md)',
      ),
      json(
        'billing',
        'Billing',
        'e.g. {"mode": "prepaid"} or {"mode": "postpaid", "credit_limit": "500"} (docs/billing.md)',
      ),
    ],
  },
  {
    path: 'ipbxs',
    title: 'IPBXs',
    singular: 'IPBX',
    columns: [
      { name: 'name', label: 'Name' },
      { name: 'customer_id', label: 'Customer', ref: 'customers' },
      { name: 'hostname', label: 'Host' },
      { name: 'port', label: 'Port' },
      { name: 'transport', label: 'Transport' },
      { name: 'enabled', label: 'Enabled' },
    ],
    fields: [
      customerRef,
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'hostname', label: 'Host name or address', type: 'text', required: true },
      { name: 'port', label: 'Port', type: 'number' },
      transport,
      { name: 'enabled', label: 'Enabled', type: 'boolean', initial: true },
      sources,
      credentials,
      limits,
      codecs,
      {
        name: 'normalization_profile_id',
        label: 'Normalization profile',
        type: 'ref',
        path: 'normalization-profiles',
      },
    ],
  },
  {
    path: 'providers',
    title: 'Providers',
    singular: 'provider',
    operatorWrites: true,
    columns: [
      { name: 'name', label: 'Name' },
      { name: 'hostname', label: 'Host' },
      { name: 'port', label: 'Port' },
      { name: 'transport', label: 'Transport' },
      { name: 'enabled', label: 'Enabled' },
    ],
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'hostname', label: 'Host name or address', type: 'text', required: true },
      { name: 'port', label: 'Port', type: 'number' },
      transport,
      { name: 'tech_prefix', label: 'Tech prefix', type: 'text' },
      { name: 'tech_postfix', label: 'Tech postfix', type: 'text' },
      { name: 'detail', label: 'Detail', type: 'text' },
      { name: 'currency', label: 'Currency of its deck (ISO 4217)', type: 'text' },
      { name: 'enabled', label: 'Enabled', type: 'boolean', initial: true },
      sources,
      credentials,
      limits,
      codecs,
      json('health_check', 'Health check', 'e.g. {"enabled": true, "interval_s": 30} (docs/admission.md)'),
      json('timers', 'Attempt timers', 'e.g. {"provisional_ms": 2000, "final_ms": 60000}'),
    ],
  },
  {
    path: 'routes',
    title: 'Routes',
    singular: 'route',
    columns: [
      { name: 'name', label: 'Name' },
      { name: 'customer_id', label: 'Customer', ref: 'customers' },
      { name: 'target', label: 'Prefix' },
      { name: 'provider_id', label: 'Provider', ref: 'providers' },
      { name: 'priority', label: 'Priority' },
      { name: 'weight', label: 'Weight' },
      { name: 'enabled', label: 'Enabled' },
    ],
    fields: [
      customerRef,
      {
        name: 'target',
        label: 'Prefix (E.164, or all)',
        type: 'text',
        required: true,
        hint: 'e.g. +8210 or all',
      },
      { name: 'provider_id', label: 'Provider', type: 'ref', path: 'providers', required: true },
      { name: 'priority', label: 'Priority', type: 'number' },
      { name: 'weight', label: 'Weight', type: 'number' },
      { name: 'name', label: 'Name', type: 'text' },
      { name: 'detail', label: 'Detail', type: 'text' },
      { name: 'lcr', label: 'Least cost first', type: 'boolean' },
      { name: 'exclude_negative_margin', label: 'Skip providers dearer than the sell rate', type: 'boolean' },
      { name: 'enabled', label: 'Enabled', type: 'boolean', initial: true },
      json('time_windows', 'Time windows', 'when the route applies; [] = always (docs/api.md)'),
      json(
        'failover_codes',
        'Failover codes',
        'SIP codes that try the next target, e.g. [408, 480, 503]; null = the default',
      ),
    ],
  },
  {
    path: 'dids',
    title: 'DIDs',
    singular: 'DID',
    columns: [
      { name: 'number', label: 'Number' },
      { name: 'customer_id', label: 'Customer', ref: 'customers' },
      { name: 'ipbx_id', label: 'IPBX', ref: 'ipbxs' },
      { name: 'range', label: 'Range' },
    ],
    fields: [
      customerRef,
      { name: 'number', label: 'Number (E.164)', type: 'text', required: true },
      { name: 'ipbx_id', label: 'IPBX', type: 'ref', path: 'ipbxs', required: true },
      { name: 'range', label: 'A range (prefix)', type: 'boolean' },
      { name: 'name', label: 'Name', type: 'text' },
    ],
  },
  {
    path: 'normalization-profiles',
    title: 'Normalization profiles',
    singular: 'normalization profile',
    columns: [
      { name: 'name', label: 'Name' },
      { name: 'customer_id', label: 'Customer', ref: 'customers' },
      { name: 'country_code', label: 'Country code' },
      { name: 'egress_format', label: 'Egress format' },
    ],
    fields: [
      customerRef,
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'country_code', label: 'Country code', type: 'text', required: true },
      { name: 'national_prefix', label: 'National prefix', type: 'text' },
      { name: 'international_prefix', label: 'International prefix', type: 'text' },
      {
        name: 'egress_format',
        label: 'Egress format',
        type: 'select',
        options: ['e164', 'e164_without_plus', 'national', 'international'],
      },
      { name: 'rules', label: 'Rules (JSON)', type: 'json', hint: 'a list of rewrite rules (docs/api.md)' },
    ],
  },
  {
    path: 'rate-plans',
    title: 'Rate plans',
    singular: 'rate plan',
    operatorWrites: true,
    columns: [
      { name: 'name', label: 'Name' },
      { name: 'currency', label: 'Currency' },
      { name: 'id', label: 'ID' },
    ],
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'detail', label: 'Detail', type: 'text' },
      { name: 'currency', label: 'Currency (ISO 4217)', type: 'text' },
    ],
  },
];
