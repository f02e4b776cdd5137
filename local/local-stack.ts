import { createApp } from '../functions/api';
import type { SourceLimits } from '../functions/api/source-policy';
import { createDecideHandler } from '../functions/decision/http/decide-handler';
import { type DecisionServer, serveDecision } from '../functions/decision/node-server';
import { createRouting } from '../functions/decision/routing';
import { createStore, ensureDefaultCustomer, ensureTable } from '../functions/store';
import { type DynamoDbLocal, superviseDynamoDbLocal } from './dynamodb-local';

export type LocalStackConfig = {
  /** 0 picks a free port. */
  apiPort: number;
  apiHost?: string;
  /** Widest sources a customer key may write (settings.sourceLimits). */
  sourceLimits?: SourceLimits;
  /** An existing DynamoDB (endpoint) or a DynamoDB Local to start with its data under `dataDir`. */
  dynamodb: { endpoint: string } | { dataDir: string };
  tableName: string;
  region: string;
  adminKey: string;
  relayToken: string;
  nonceSecret: string;
  /** Upstash REST cache for the decision; without it the cache is in-process. */
  upstash?: { url: string; token: string } | undefined;
  /** TANDEM_CDR_RETENTION_DAYS; default 400. */
  cdrRetentionDays?: number;
  /** TANDEM_AUDIT_RETENTION_DAYS; default 400. */
  auditRetentionDays?: number;
  /** TANDEM_ALERT_WEBHOOK_URL and _SECRET: where alerts are POSTed; unset: logged only. */
  alertWebhook?: { url: string; secret: string } | undefined;
  /** VoIPBIN's `?token=<key>` on /v1.0 paths (settings.apiTokenInQuery); off when unset. */
  apiTokenInQuery?: boolean;
  /** Where a DynamoDB Local started here reports that it died and came back; stderr by default. */
  log?: (line: string) => void;
};

export type LocalStack = {
  readonly apiUrl: string;
  readonly decideUrl: string;
  readonly dynamodbEndpoint: string;
  stop(): Promise<void>;
};

/**
 * The whole local stack as a service: storage (DynamoDB Local unless an
 * endpoint is given, restarted on its port and data when it dies), the table
 * and default customer, and the API with the decision on one node server.
 * `npm start` and the end-to-end tests both use it.
 *
 * @example
 * const stack = await startLocalStack({ apiPort: 0, dynamodb: { endpoint }, tableName: 't1', region: 'us-east-1', adminKey, relayToken, nonceSecret });
 * await fetch(`${stack.apiUrl}/healthz`);
 * await stack.stop();
 */
export async function startLocalStack(config: LocalStackConfig): Promise<LocalStack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    let dynamodbEndpoint: string;
    if ('endpoint' in config.dynamodb) {
      dynamodbEndpoint = config.dynamodb.endpoint;
    } else {
      const local: DynamoDbLocal = await superviseDynamoDbLocal({
        dataDir: config.dynamodb.dataDir,
        log: config.log ?? ((line) => process.stderr.write(`${line}\n`)),
      });
      stops.push(() => local.stop());
      dynamodbEndpoint = local.endpoint;
    }
    const store = createStore({
      endpoint: dynamodbEndpoint,
      region: config.region,
      tableName: config.tableName,
    });
    await ensureTable(store);
    await ensureDefaultCustomer(store);
    const routing = createRouting(store, {
      relayToken: config.relayToken,
      nonceSecret: config.nonceSecret,
      upstashUrl: config.upstash?.url,
      upstashToken: config.upstash?.token,
      // A long-running server: version checks run behind the decisions, never in front of one.
      revalidate: 'background',
    });
    const app = createApp({
      store,
      adminKey: config.adminKey,
      routing,
      ...(config.sourceLimits ? { sourceLimits: config.sourceLimits } : {}),
      ...(config.cdrRetentionDays ? { cdrRetentionDays: config.cdrRetentionDays } : {}),
      ...(config.auditRetentionDays ? { auditRetentionDays: config.auditRetentionDays } : {}),
      alertWebhook: config.alertWebhook,
      apiTokenInQuery: config.apiTokenInQuery === true,
    });
    // The snapshot is compiled before the server listens: the first decide never waits for it.
    await routing.deps.loader.get();
    // One node server: decide on its fast path, everything else through the Hono app; both share `routing`,
    // so a write through the API is seen by the next decision at once.
    const api: DecisionServer = await serveDecision(createDecideHandler(routing.deps), app.fetch, {
      port: config.apiPort,
      ...(config.apiHost ? { hostname: config.apiHost } : {}),
    });
    stops.push(() => api.close());
    return { apiUrl: api.url, decideUrl: `${api.url}/v1/routing/decide`, dynamodbEndpoint, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
