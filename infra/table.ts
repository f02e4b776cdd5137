import { settingLinks } from '../functions/settings/links';
import { GSI1, GSI2 } from '../functions/store/keys';
import { isProductionStage } from './stages';

/**
 * The single table (docs/storage.md): the same keys, GSIs and TTL attribute
 * as functions/store/table.ts `ensureTable` creates locally.
 * Point-in-time recovery only where the data is real: it is billed per GB.
 */
export const table = new sst.aws.Dynamo(settingLinks.TANDEM_TABLE_NAME.link, {
  fields: {
    PK: 'string',
    SK: 'string',
    [GSI1.pk]: 'string',
    [GSI1.sk]: 'string',
    [GSI2.pk]: 'string',
    [GSI2.sk]: 'string',
  },
  primaryIndex: { hashKey: 'PK', rangeKey: 'SK' },
  globalIndexes: {
    [GSI1.name]: { hashKey: GSI1.pk, rangeKey: GSI1.sk },
    [GSI2.name]: { hashKey: GSI2.pk, rangeKey: GSI2.sk },
  },
  ttl: 'expires_at',
  deletionProtection: isProductionStage($app.stage),
  transform: {
    table: (args) => {
      args.pointInTimeRecovery = { enabled: isProductionStage($app.stage) };
    },
  },
});
