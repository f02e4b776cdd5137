import { handle } from 'hono/aws-lambda';
import { createSpendAlerts } from '../alerts/spend-alerts';
import { createSnapshotLoader } from '../decision/loader/snapshot-loader';
import { createVersionCache } from '../decision/routing';
import { logLine } from '../http/log';
import { withEmf } from '../metrics/lambda-emf';
import { linkedEnv } from '../settings/resource';
import { loadSettings } from '../settings/settings';
import { createStore } from '../store/client';
import { createConfigReader } from '../store/config-reader';
import { createCdrApp } from './app';
import { ratingSourceOf } from './rating-source';

// Read once per cold start (environment completed from SST links).
const settings = loadSettings(linkedEnv(process.env));
if (!settings.relayToken) throw new Error('TANDEM_RELAY_TOKEN is required in Lambda');

/** The CDR ingestion Lambda (API Gateway v2 / Function URL events): a thin wrapper of the app. */
const store = createStore({
  endpoint: settings.dynamodbEndpoint,
  region: settings.region,
  tableName: settings.tableName,
});

// The decision's snapshot loader, with its version cache: rating reads the same compiled decks,
// rebuilt only when a deck or a customer changes.
const loader = createSnapshotLoader({
  reader: createConfigReader(store),
  cache: createVersionCache({ upstashUrl: settings.upstashUrl, upstashToken: settings.upstashToken }),
});

/** Its figures (requests by route and status) leave as CloudWatch embedded-metric-format lines. */
export const handler = withEmf(
  'cdr',
  handle(
    createCdrApp({
      store,
      relayToken: settings.relayToken,
      retentionDays: settings.cdrRetentionDays,
      rating: ratingSourceOf(loader),
      alerts: createSpendAlerts({ store, webhook: settings.alertWebhook, log: logLine }),
    }),
  ),
);
