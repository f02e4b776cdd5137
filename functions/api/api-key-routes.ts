import { createdApiKey } from '../domain';
import { createRepository, newApiKey, resources } from '../store';
import { authorizer } from './access';
import { type RouteDeps, resourceRoutes } from './resource-routes';
import { toView } from './view';

/**
 * Customer keys: created with the generic routes, except that creation makes
 * the secret, stores only its sha256 and returns the key this one time.
 */
export function apiKeyRoutes(deps: RouteDeps) {
  const def = resources.api_key;
  const repo = createRepository(deps.store, def, deps.now);
  return resourceRoutes(deps, def, {
    update: false,
    create: {
      schema: createdApiKey,
      async create(principal, body, audit) {
        const { key, key_hash, key_prefix } = newApiKey();
        const doc = await repo.create(body, {
          audit,
          authorize: authorizer(def, principal),
          extra: { key_hash, key_prefix },
        });
        return { ...toView(def, doc), key };
      },
    },
  });
}
