import { describe, expect, it } from 'vitest';
import type { NormalizationProfile } from '../../domain/normalization-profile';
import { baseProfile, uid } from '../engine/test-fixtures';
import { type ConfigSource, createSnapshotLoader, type LoaderEvent } from './snapshot-loader';

describe('snapshot loader and patterns RE2 refuses', () => {
  it('builds the snapshot, skips the rule and reports the profile once (until the list changes)', async () => {
    const legacy: NormalizationProfile = {
      ...baseProfile,
      id: uid(990),
      rules: [
        { direction: 'ingress', party: 'both', match: '^9(\\d+)$', replace: '$1' },
        { direction: 'ingress', party: 'both', match: '^(?!00)0(\\d+)$', replace: '+82$1' },
      ],
    };
    let version = 1;
    const reader: ConfigSource = {
      listAll: (async (kind: string) => {
        if (kind === 'customer') return [{ id: legacy.customer_id }];
        if (kind === 'normalization_profile') return [legacy];
        return [];
      }) as ConfigSource['listAll'],
      routesOfCustomer: async () => [],
      rateDeck: async () => [],
      configVersions: async (ids) => Object.fromEntries(ids.map((id) => [id, version])),
    };
    let t = 1_000_000;
    const events: LoaderEvent[] = [];
    const loader = createSnapshotLoader({ reader, now: () => t, onEvent: (e) => events.push(e) });
    const snapshot = await loader.get();
    expect(snapshot.global.profiles.get(legacy.id)?.unsupported).toEqual([1]);
    version = 2;
    t += 60_000;
    await loader.get();
    expect(events.filter((e) => e.type === 'unsupported_patterns')).toEqual([
      { type: 'unsupported_patterns', profiles: [{ id: legacy.id, rules: [1] }] },
    ]);
  });
});
