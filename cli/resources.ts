/**
 * The API's configuration resources as the CLI offers them: one command each, named after its
 * path under `/v1` (docs/api.md, "Resources"). The list and its filters follow the API; an
 * integration test checks every path against the OpenAPI document.
 */
export type ResourceSpec = {
  /** The command and the path under `/v1`. */
  readonly path: string;
  readonly singular: string;
  readonly aliases?: readonly string[];
  /** Query parameters of the list (`customer_id` is offered as `--customer`). */
  readonly filters: readonly string[];
  /** Columns of the table a list prints (dotted paths into each object). */
  readonly columns: readonly string[];
  /** Whether it has PUT and PATCH (api keys have not). */
  readonly updatable: boolean;
};

export const RESOURCES: readonly ResourceSpec[] = [
  {
    path: 'customers',
    singular: 'customer',
    filters: [],
    columns: ['id', 'name', 'rate_plan_id', 'billing.mode', 'limits.max_concurrent_calls', 'limits.max_cps'],
    updatable: true,
  },
  {
    path: 'providers',
    singular: 'provider',
    filters: [],
    columns: ['id', 'name', 'hostname', 'port', 'transport', 'tech_prefix', 'enabled', 'currency'],
    updatable: true,
  },
  {
    path: 'ipbxs',
    singular: 'ipbx',
    filters: ['customer_id'],
    columns: ['id', 'customer_id', 'name', 'transport', 'enabled', 'credentials.username'],
    updatable: true,
  },
  {
    path: 'dids',
    singular: 'did',
    filters: ['customer_id', 'number'],
    columns: ['id', 'customer_id', 'number', 'range', 'ipbx_id', 'name'],
    updatable: true,
  },
  {
    path: 'domains',
    singular: 'domain',
    filters: ['customer_id', 'name'],
    columns: ['id', 'customer_id', 'name'],
    updatable: true,
  },
  {
    path: 'normalization-profiles',
    singular: 'normalization profile',
    filters: ['customer_id'],
    columns: ['id', 'customer_id', 'name', 'country_code'],
    updatable: true,
  },
  {
    path: 'routes',
    singular: 'route',
    filters: ['customer_id', 'target', 'provider_id'],
    columns: ['id', 'customer_id', 'name', 'target', 'provider_id', 'priority', 'weight', 'lcr', 'enabled'],
    updatable: true,
  },
  {
    path: 'rate-plans',
    singular: 'rate plan',
    filters: [],
    columns: ['id', 'name', 'currency', 'rate_deck_version'],
    updatable: true,
  },
  {
    path: 'api-keys',
    singular: 'api key',
    aliases: ['keys'],
    filters: ['customer_id'],
    columns: ['id', 'customer_id', 'name', 'key_prefix', 'tm_create'],
    updatable: false,
  },
];

/** Columns of a CDR search. */
export const CDR_COLUMNS = [
  'id',
  'tm_invite',
  'customer_id',
  'caller',
  'callee',
  'final_code',
  'billsec',
  'rating.price.amount',
  'rating.price.currency',
] as const;
