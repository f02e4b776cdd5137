import { handle } from 'hono/aws-lambda';
import { linkedEnv } from '../settings/resource';
import { loadSettings } from '../settings/settings';
import { createStore } from '../store/client';
import { createCdrApp } from './app';

// Read once per cold start (environment completed from SST links).
const settings = loadSettings(linkedEnv(process.env));
if (!settings.relayToken) throw new Error('TANDEM_RELAY_TOKEN is required in Lambda');

/** The CDR ingestion Lambda (API Gateway v2 / Function URL events): a thin wrapper of the app. */
export const handler = handle(
  createCdrApp({
    store: createStore({
      endpoint: settings.dynamodbEndpoint,
      region: settings.region,
      tableName: settings.tableName,
    }),
    relayToken: settings.relayToken,
    retentionDays: settings.cdrRetentionDays,
  }),
);
