import { z } from 'zod';
import { loadEnv } from '../../platform/env';

export { SettingsError } from '../../platform/env';

/**
 * Every setting Tandem reads from its environment, validated once at start.
 * A bad value stops the start with a message that names the variable.
 *
 * @example
 * const settings = loadSettings(process.env);
 * settings.apiPort; // 8080
 */
const port = z.coerce.number().int().min(0).max(65535);

export const settingsSchema = z.object({
  TANDEM_API_PORT: port.default(8080),
  TANDEM_DATA_DIR: z.string().min(1).default('./.tandem'),
  /** Operator key; when unset locally, one is generated and kept in the data dir. */
  TANDEM_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** When set, use this DynamoDB (real AWS or an already running DynamoDB Local) instead of starting one. */
  TANDEM_DYNAMODB_ENDPOINT: z.url().optional(),
  TANDEM_TABLE_NAME: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{3,255}$/)
    .default('tandem'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Token the edge relays send to POST /v1/routing/decide; when unset locally, generated and kept in the data dir. */
  TANDEM_RELAY_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** HMAC secret of digest nonces, shared by every decision instance; generated locally when unset. */
  TANDEM_NONCE_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Upstash Redis (REST) for config version counters; without it, an in-process cache. */
  UPSTASH_REDIS_REST_URL: z.url().optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
});

export type Settings = {
  apiPort: number;
  dataDir: string;
  adminKey: string | undefined;
  dynamodbEndpoint: string | undefined;
  tableName: string;
  region: string;
  relayToken: string | undefined;
  nonceSecret: string | undefined;
  upstashUrl: string | undefined;
  upstashToken: string | undefined;
};

export function loadSettings(env: Record<string, string | undefined>): Settings {
  const s = loadEnv(settingsSchema, env);
  return {
    apiPort: s.TANDEM_API_PORT,
    dataDir: s.TANDEM_DATA_DIR,
    adminKey: s.TANDEM_ADMIN_KEY,
    dynamodbEndpoint: s.TANDEM_DYNAMODB_ENDPOINT,
    tableName: s.TANDEM_TABLE_NAME,
    region: s.AWS_REGION,
    relayToken: s.TANDEM_RELAY_TOKEN,
    nonceSecret: s.TANDEM_NONCE_SECRET,
    upstashUrl: s.UPSTASH_REDIS_REST_URL,
    upstashToken: s.UPSTASH_REDIS_REST_TOKEN,
  };
}
