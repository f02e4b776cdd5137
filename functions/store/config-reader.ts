import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLine } from '../billing/rate-line';
import type {
  Customer,
  Did,
  Domain,
  NormalizationProfile,
  Route,
  StoredIpbx,
  StoredProvider,
  StoredRatePlan,
} from '../domain';
import type { Store } from './client';
import { keys } from './keys';
import { listPartition } from './list-partition';
import { queryAll } from './pagination';
import { fromChunk } from './rate-chunks';
import type { ConfigKind } from './resources';

export type { ConfigKind } from './resources';

/** What the store holds per kind; IPBXs and providers include their HA1 credentials. */
export type StoredByKind = {
  customer: Customer;
  ipbx: StoredIpbx;
  provider: StoredProvider;
  did: Did;
  domain: Domain;
  normalization_profile: NormalizationProfile;
  route: Route;
  rate_plan: StoredRatePlan;
};

/** The kinds that hold a deck; the store keeps its version beside the object (`rate_deck_version`). */
export type DeckKind = 'provider' | 'rate_plan';

export type ConfigReader = ReturnType<typeof createConfigReader>;

/**
 * Read-only access for the routing decision: whole kinds at once (to compile
 * in-memory tables), a customer's routes, the current deck of a provider or a rate plan, and
 * the config version counters that tell a cache it is stale.
 *
 * @example
 * const reader = createConfigReader(store);
 * const providers = await reader.listAll('provider');
 * const versions = await reader.configVersions([customerId]); // { [customerId]: 7 }
 */
export function createConfigReader(store: Store) {
  return {
    /** Every object of a kind, all pages. */
    async listAll<K extends ConfigKind>(kind: K): Promise<StoredByKind[K][]> {
      // Straight to the index, not through the repository: the decision bundle stays free of the
      // resource registry and its CRUD schemas (and libphonenumber).
      const items = await queryAll(store, listPartition(kind));
      return items.map((item) =>
        kind === 'provider' || kind === 'rate_plan'
          ? { ...(item['doc'] as object), rate_deck_version: (item['rate_deck_version'] as string) ?? null }
          : item['doc'],
      ) as StoredByKind[K][];
    },

    /** The routes of one customer (all pages). */
    async routesOfCustomer(customerId: string): Promise<Route[]> {
      const items = await queryAll(store, listPartition('route', customerId));
      return items.map((item) => item['doc'] as Route);
    },

    /** The current deck of a provider or a rate plan (empty when none was imported or the owner is unknown). */
    async rateDeck(ownerId: string, kind: DeckKind = 'provider'): Promise<RateLine[]> {
      const deckVersion = await currentDeckVersion(store, ownerId, kind);
      if (!deckVersion) return [];
      const items = await queryAll(store, { partition: keys.rateDeck(ownerId, deckVersion) }, ['lines']);
      return items.flatMap((item) => fromChunk(item['lines'] as string));
    },

    /** Config version per customer; a customer never written is 0. */
    async configVersions(customerIds: string[]): Promise<Record<string, number>> {
      const unique = [...new Set(customerIds)];
      const versions: Record<string, number> = Object.fromEntries(unique.map((id) => [id, 0]));
      for (let i = 0; i < unique.length; i += 100) {
        let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
          [store.tableName]: { Keys: unique.slice(i, i + 100).map((id) => keys.version(id)) },
        };
        while (request && Object.keys(request).length > 0) {
          const out = await store.doc.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of out.Responses?.[store.tableName] ?? []) {
            versions[String(item['PK']).slice('VERSION#'.length)] = Number(item['version'] ?? 0);
          }
          request = out.UnprocessedKeys as typeof request;
        }
      }
      return versions;
    },
  };
}

/** The deck version a provider or a rate plan points at (null: no deck). */
export async function currentDeckVersion(
  store: Store,
  ownerId: string,
  kind: DeckKind = 'provider',
): Promise<string | null> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: keys.object(kind, ownerId),
      ProjectionExpression: 'rate_deck_version',
      ConsistentRead: true,
    }),
  );
  return (out.Item?.['rate_deck_version'] as string | undefined) ?? null;
}
