import { handle } from 'hono/aws-lambda';
import { withEmf } from '../metrics/lambda-emf';
import { linkedEnv } from '../settings/resource';
import { loadSettings } from '../settings/settings';
import { createStore } from '../store/client';
import { createDecisionApp } from './app';
import { createDecideHandler } from './http/decide-handler';
import { decideFromEvent, type HttpEventV2, type HttpResultV2, isDecideEvent } from './http/lambda-http';
import { createRouting } from './routing';

// Read once per cold start (environment completed from SST links); the handler and its
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
const decideHandler = createDecideHandler(routing.deps);

type AppHandler = (event: HttpEventV2, context: unknown) => Promise<HttpResultV2>;
// Everything but a decide that succeeded (/healthz, store faults mapped to 503) goes through
// the decision app, created on first need: a relay's decide never pays for a router.
let app: AppHandler | undefined;
const viaApp = (): AppHandler =>
  (app ??= handle(createDecisionApp({ store, ...routing.deps })) as unknown as AppHandler);

/**
 * The decision Lambda: `POST /v1/routing/decide` straight from the event, the rest through the
 * app; each invocation's figures (decide latency, action and reason, snapshot) leave as
 * CloudWatch embedded-metric-format lines.
 */
export const handler = withEmf('decision', invoke);

async function invoke(event: HttpEventV2, context: unknown): Promise<HttpResultV2> {
  if (isDecideEvent(event)) {
    try {
      return await decideFromEvent(decideHandler, event);
    } catch {
      // A store fault: the app's error handler answers it (503 when the store is down, else 500).
    }
  }
  return viaApp()(event, context);
}
