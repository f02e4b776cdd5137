/**
 * The resource screens, one row each: the API path, the list's columns and the form's fields.
 * Every screen is drawn from this table (resource-view.tsx); the API validates.
 */

export type Field =
  | { name: string; label: string; type: 'text' | 'number'; required?: boolean; hint?: string }
  | { name: string; label: string; type: 'boolean' }
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
      { name: 'enabled', label: 'Enabled', type: 'boolean' },
      sources,
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
      { name: 'enabled', label: 'Enabled', type: 'boolean' },
      sources,
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
      { name: 'lcr', label: 'Least cost first', type: 'boolean' },
      { name: 'enabled', label: 'Enabled', type: 'boolean' },
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
