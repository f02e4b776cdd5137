import { handle } from 'hono/aws-lambda';
import { withEmf } from '../metrics/lambda-emf';
import { linkedEnv } from '../settings/resource';
import { loadSettings } from '../settings/settings';
import { createStore } from '../store';
import { createApp } from './app';

// Settings are read here and only here (once per Lambda instance): the
// environment, completed from SST's linked resources when deployed.
const settings = loadSettings(linkedEnv(process.env));
if (!settings.adminKey) throw new Error('TANDEM_ADMIN_KEY is required in Lambda');

/**
 * The API as an AWS Lambda handler (Function URL / API Gateway payload 2.0): a thin wrapper of the
 * app, its figures written as CloudWatch embedded-metric-format lines per invocation.
 */
export const handler = withEmf(
  'api',
  handle(
    createApp({
      store: createStore({
        endpoint: settings.dynamodbEndpoint,
        region: settings.region,
        tableName: settings.tableName,
      }),
      adminKey: settings.adminKey,
      sourceLimits: settings.sourceLimits,
      cdrRetentionDays: settings.cdrRetentionDays,
      auditRetentionDays: settings.auditRetentionDays,
      alertWebhook: settings.alertWebhook,
      apiTokenInQuery: settings.apiTokenInQuery,
      // A Lambda behind API Gateway answers one buffered body of at most 6 MB (JSON-escaped in the
      // result): a larger CDR export is refused with 400 (docs/cdrs.md), never cut off.
      cdrExportMaxBytes: 5 * 1024 * 1024,
      // Writes bump the decision's Redis version token; simulate runs here too.
      decision: {
        relayToken: settings.relayToken,
        nonceSecret: settings.nonceSecret,
        upstashUrl: settings.upstashUrl,
        upstashToken: settings.upstashToken,
      },
    }),
  ),
);
