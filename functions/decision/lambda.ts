import { handle } from 'hono/aws-lambda';
import { linkedEnv } from '../settings/resource';
import { loadSettings } from '../settings/settings';
import { createStore } from '../store/client';
import { createDecisionApp } from './app';
import { createRouting } from './routing';

// Read once per cold start (environment completed from SST links); the app and its
// compiled snapshot live as long as the instance.
const settings = loadSettings(linkedEnv(process.env));
if (!settings.relayToken) throw new Error('TANDEM_RELAY_TOKEN is required in Lambda');
if (!settings.nonceSecret) throw new Error('TANDEM_NONCE_SECRET is required in Lambda');
const store = createStore({
  endpoint: settings.dynamodbEndpoint,
  region: settings.region,
  tableName: settings.tableName,
});
const routing = createRouting(store, {
  relayToken: settings.relayToken,
  nonceSecret: settings.nonceSecret,
  upstashUrl: settings.upstashUrl,
  upstashToken: settings.upstashToken,
});

/** The decision Lambda: only wraps the decision app. */
export const handler = handle(createDecisionApp({ store, ...routing.deps }));
