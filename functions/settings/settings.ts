import { z } from 'zod';
import { loadEnv, SettingsError } from '../../platform/env';
import { DEFAULT_SOURCE_LIMITS, type SourceLimits } from '../domain/source-range';

export { SettingsError } from '../../platform/env';

/** How long a CDR is kept when TANDEM_CDR_RETENTION_DAYS is unset: 13 months and change, a year of disputes. */
export const DEFAULT_CDR_RETENTION_DAYS = 400;

/** How long an audit event is kept when TANDEM_AUDIT_RETENTION_DAYS is unset: as long as a CDR. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

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
  /** Where `npm start` serves the API; loopback unless the relays or users are on other hosts. */
  TANDEM_API_ADDRESS: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
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
  /** Widest allowed source a customer key may write: /0–/7 (IPv4) and /0–/31 (IPv6) are the operator's. */
  TANDEM_MIN_SOURCE_PREFIX_V4: z.coerce
    .number()
    .int()
    .min(0)
    .max(32)
    .default(DEFAULT_SOURCE_LIMITS.minPrefixV4),
  TANDEM_MIN_SOURCE_PREFIX_V6: z.coerce
    .number()
    .int()
    .min(0)
    .max(128)
    .default(DEFAULT_SOURCE_LIMITS.minPrefixV6),
  /** Days a CDR is kept after its INVITE (DynamoDB TTL `expires_at`; docs/cdrs.md). */
  TANDEM_CDR_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_CDR_RETENTION_DAYS),
  /** Days an audit event is kept after its write (DynamoDB TTL `expires_at`; docs/audit.md). */
  TANDEM_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_AUDIT_RETENTION_DAYS),
  /** Where alerts are POSTed (a customer's daily spend limit reached; docs/billing.md); unset: logged only. */
  TANDEM_ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** HMAC-SHA256 key of the alerts' `Tandem-Signature` header; required with the URL. */
  TANDEM_ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * VoIPBIN compatibility: the api key may come as `?token=` on /v1.0 paths (docs/voipbin-compat.md).
   * Off by default: a key in a URL ends up in proxy, browser and server logs.
   */
  TANDEM_API_TOKEN_IN_QUERY: z.enum(['true', 'false']).default('false'),
});

/** An alert webhook: both settings, or neither. */
export type AlertWebhookSettings = { url: string; secret: string };

export type Settings = {
  apiPort: number;
  apiAddress: string;
  dataDir: string;
  adminKey: string | undefined;
  dynamodbEndpoint: string | undefined;
  tableName: string;
  region: string;
  relayToken: string | undefined;
  nonceSecret: string | undefined;
  upstashUrl: string | undefined;
  upstashToken: string | undefined;
  sourceLimits: SourceLimits;
  cdrRetentionDays: number;
  auditRetentionDays: number;
  alertWebhook: AlertWebhookSettings | undefined;
  /** TANDEM_API_TOKEN_IN_QUERY: `?token=<key>` accepted on /v1.0 paths. */
  apiTokenInQuery: boolean;
};

export function loadSettings(env: Record<string, string | undefined>): Settings {
  const s = loadEnv(settingsSchema, env);
  if (s.TANDEM_ALERT_WEBHOOK_URL && !s.TANDEM_ALERT_WEBHOOK_SECRET) {
    throw new SettingsError([
      { variable: 'TANDEM_ALERT_WEBHOOK_SECRET', message: 'is required with TANDEM_ALERT_WEBHOOK_URL' },
    ]);
  }
  return {
    apiPort: s.TANDEM_API_PORT,
    apiAddress: s.TANDEM_API_ADDRESS,
    dataDir: s.TANDEM_DATA_DIR,
    adminKey: s.TANDEM_ADMIN_KEY,
    dynamodbEndpoint: s.TANDEM_DYNAMODB_ENDPOINT,
    tableName: s.TANDEM_TABLE_NAME,
    region: s.AWS_REGION,
    relayToken: s.TANDEM_RELAY_TOKEN,
    nonceSecret: s.TANDEM_NONCE_SECRET,
    upstashUrl: s.UPSTASH_REDIS_REST_URL,
    upstashToken: s.UPSTASH_REDIS_REST_TOKEN,
    sourceLimits: { minPrefixV4: s.TANDEM_MIN_SOURCE_PREFIX_V4, minPrefixV6: s.TANDEM_MIN_SOURCE_PREFIX_V6 },
    cdrRetentionDays: s.TANDEM_CDR_RETENTION_DAYS,
    auditRetentionDays: s.TANDEM_AUDIT_RETENTION_DAYS,
    apiTokenInQuery: s.TANDEM_API_TOKEN_IN_QUERY === 'true',
    alertWebhook:
      s.TANDEM_ALERT_WEBHOOK_URL && s.TANDEM_ALERT_WEBHOOK_SECRET
        ? { url: s.TANDEM_ALERT_WEBHOOK_URL, secret: s.TANDEM_ALERT_WEBHOOK_SECRET }
        : undefined,
  };
}
