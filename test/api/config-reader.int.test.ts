import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CUSTOMER_ID } from '../../functions/domain';
import type { AuditContext } from '../../functions/domain/audit-event';
import {
  createConfigReader,
  createRepository,
  ensureDefaultCustomer,
  ensureTable,
  importRateDeck,
  parseRateCsv,
  resources,
  type Store,
} from '../../functions/store';
import { freshStore } from './store-fixture';

/** These writes are the operator's, from no request. */
const audit: AuditContext = {
  actor: { kind: 'operator', key_id: null, customer_id: null },
  source: { ip: null, forwarded_for: null, user_agent: null },
  request_id: null,
  retentionDays: 400,
};

describe('config reader', () => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore();
  });

  it('ensureTable and ensureDefaultCustomer are idempotent', async () => {
    const before = await createConfigReader(store).configVersions([DEFAULT_CUSTOMER_ID]);
    await ensureTable(store);
    await ensureDefaultCustomer(store);
    expect(await createConfigReader(store).configVersions([DEFAULT_CUSTOMER_ID])).toEqual(before);
    const customers = await createConfigReader(store).listAll('customer');
    expect(customers.map((c) => c.id)).toContain(DEFAULT_CUSTOMER_ID);
  });

  it('reads kinds with stored credentials, routes of a customer, the current deck and versions', async () => {
    const customers = createRepository(store, resources.customer);
    const acme = await customers.create({ name: 'acme' }, { audit });
    const provider = await createRepository(store, resources.provider).create(
      {
        name: 'carrier',
        hostname: 'sip.carrier.example',
        credentials: { username: 'u', password: 'p', realm: 'carrier' },
      },
      { audit },
    );
    const routes = createRepository(store, resources.route);
    await routes.create({ customer_id: acme.id, provider_id: provider.id, target: '+82' }, { audit });
    await routes.create(
      { customer_id: DEFAULT_CUSTOMER_ID, provider_id: provider.id, target: 'all' },
      { audit },
    );
    await importRateDeck(store, provider.id, parseRateCsv('+82,0.02\n+8210,0.01,0.005,1,1\n').lines);

    const reader = createConfigReader(store);
    const [stored] = await reader.listAll('provider');
    expect(stored?.credentials?.ha1_md5).toMatch(/^[0-9a-f]{32}$/);
    expect(stored?.rate_deck_version).toEqual(expect.any(String));
    expect((await reader.routesOfCustomer(acme.id)).map((r) => r.target)).toEqual(['+82']);
    const rest = { first_increment_s: 60, next_increment_s: 60, minimum_s: 0, effective_from: null };
    expect(await reader.rateDeck(provider.id)).toEqual([
      { ...rest, prefix: '+82', rate: '0.02', connect_fee: '0' },
      {
        ...rest,
        prefix: '+8210',
        rate: '0.01',
        connect_fee: '0.005',
        first_increment_s: 1,
        next_increment_s: 1,
      },
    ]);
    expect(await reader.rateDeck('3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10')).toEqual([]);
    const versions = await reader.configVersions([acme.id, 'ffffffff-ffff-ffff-ffff-ffffffffffff']);
    expect(versions[acme.id]).toBe(2); // customer created, route created
    expect(versions['ffffffff-ffff-ffff-ffff-ffffffffffff']).toBe(0);
  });
});
