import { expect } from 'vitest';
import type { Json, Reply } from './api-fixture';

type Call = (
  method: string,
  path: string,
  options?: { body?: unknown; key?: string | null; raw?: string; contentType?: string },
) => Promise<Reply>;

let counter = 0;
/** A number unique in this test file (DID numbers, domain names). */
export const unique = () => ++counter;

let networks = 0;
/** A /24 no other IPBX of the test file has (10.x.y.0/24). */
const ownNetwork = () => {
  const n = ++networks;
  return `10.${(n >> 8) & 255}.${n & 255}.0/24`;
};

/** What every customer-owned body needs to point at. */
export type Refs = { customerId: string; providerId: string; ipbxId: string; profileId: string };

/** A valid create body per resource, as the API documents it. */
export const validBody: Record<string, (r: Refs) => Record<string, unknown>> = {
  customers: () => ({ name: `customer ${unique()}`, detail: 'made by a test' }),
  providers: () => ({
    name: `carrier ${unique()}`,
    hostname: 'sip.carrier.example',
    tech_prefix: '99#',
    tech_headers: { 'X-Account': '1234' },
    allowed_sources: [{ cidr: '198.51.100.0/24' }, { cidr: '2001:db8::/32', port: 5060 }],
    credentials: { username: 'trunk', password: 'trunk-secret', realm: 'carrier.example' },
  }),
  ipbxs: (r) => ({
    customer_id: r.customerId,
    name: `pbx ${unique()}`,
    hostname: '192.0.2.10',
    transport: 'tcp',
    // A network of its own: a source belongs to one customer (docs/security.md).
    allowed_sources: [{ cidr: ownNetwork() }],
    credentials: { username: 'pbx', password: 'pbx-secret', realm: 'pbx.example' },
    normalization_profile_id: r.profileId,
  }),
  dids: (r) => ({
    customer_id: r.customerId,
    number: `+1415555${String(unique()).padStart(4, '0')}`,
    ipbx_id: r.ipbxId,
  }),
  domains: (r) => ({ customer_id: r.customerId, name: `pbx${unique()}.acme.example` }),
  'normalization-profiles': (r) => ({
    customer_id: r.customerId,
    name: `profile ${unique()}`,
    country_code: '82',
    rules: [{ direction: 'ingress', match: '^9(\\d+)$', replace: '$1' }],
  }),
  routes: (r) => ({
    customer_id: r.customerId,
    provider_id: r.providerId,
    target: '+82',
    time_windows: [{ days: ['mon', 'tue'], start: '08:00', end: '18:00', tz: 'Asia/Seoul' }],
  }),
  'api-keys': (r) => ({ customer_id: r.customerId, name: `key ${unique()}` }),
  'rate-plans': () => ({ name: `plan ${unique()}`, detail: 'made by a test', currency: 'EUR' }),
};

/** Creates one object through the API and returns it (fails the test otherwise). */
export async function create(call: Call, path: string, body: unknown, key?: string): Promise<Json> {
  const res = await call('POST', `/v1/${path}`, { body, ...(key ? { key } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A customer with a profile and an IPBX, plus a provider: what other objects refer to. */
export async function makeRefs(call: Call, providerId?: string): Promise<Refs> {
  const customer = await create(call, 'customers', validBody['customers']!({} as Refs));
  const base = { customerId: customer.id, providerId: providerId ?? '', ipbxId: '', profileId: '' };
  const provider = providerId ?? (await create(call, 'providers', validBody['providers']!(base))).id;
  const profile = await create(call, 'normalization-profiles', validBody['normalization-profiles']!(base));
  const withProfile = { ...base, providerId: provider, profileId: profile.id };
  const ipbx = await create(call, 'ipbxs', validBody['ipbxs']!(withProfile));
  return { ...withProfile, ipbxId: ipbx.id };
}

/** Walks every page of a list; fails on a duplicate. */
export async function walk(call: Call, url: string, pageSize: number, key?: string): Promise<Json[]> {
  const seen: Json[] = [];
  let token = '';
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await call(
      'GET',
      `${url}${sep}page_size=${pageSize}${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
      key ? { key } : {},
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.result.length).toBeLessThanOrEqual(pageSize);
    if (res.body.next_page_token) expect(res.body.result.length).toBe(pageSize);
    seen.push(...res.body.result);
    token = res.body.next_page_token;
    pages++;
    expect(pages).toBeLessThan(1000);
  } while (token);
  const ids = seen.map((o) => o.id ?? o.prefix);
  expect(new Set(ids).size).toBe(ids.length);
  return seen;
}
