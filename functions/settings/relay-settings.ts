import { hostname } from 'node:os';
import { z } from 'zod';
import type { RelayConfig } from '../../edge-relay/config';
import { SettingsError } from './settings';

const port = z.coerce.number().int().min(0).max(65535);
const ms = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Settings of the edge relay, validated once at start like settings.ts; a bad
 * value stops the start with a message naming the variable.
 *
 * @example
 * const config = loadRelaySettings(process.env);
 * const relay = await startRelay(config);
 */
export const relaySettingsSchema = z
  .object({
    TANDEM_SIP_PORT: port.default(5060),
    TANDEM_SIP_ADDRESS: z.union([z.ipv4(), z.ipv6()]).default('0.0.0.0'),
    /** Host written in Via and Record-Route when the relay sits behind NAT. */
    TANDEM_SIP_PUBLIC_ADDRESS: z.string().min(1).optional(),
    TANDEM_SIP_TLS_PORT: port.optional(),
    TANDEM_TLS_CERT: z.string().min(1).optional(),
    TANDEM_TLS_KEY: z.string().min(1).optional(),
    /** GET /healthz and /metrics (Prometheus); off unless a port is set. */
    TANDEM_RELAY_HTTP_PORT: port.optional(),
    TANDEM_RELAY_HTTP_ADDRESS: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
    /** Inbound TCP/TLS connections per listener, and how soon a silent new one is closed. */
    TANDEM_SIP_MAX_CONNECTIONS: ms(1, 1_000_000).default(10_000),
    TANDEM_SIP_FIRST_MESSAGE_S: ms(1, 3600).default(30),
    TANDEM_DECIDE_URL: z.url().optional(),
    /** PEM file of a private CA for an https decision URL (a self-hosted decision); public CAs need none. */
    TANDEM_DECIDE_CA_FILE: z.string().min(1).optional(),
    TANDEM_RELAY_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Deadline of one decision call; 800 ms lets a 503 leave within a second. */
    TANDEM_DECIDE_TIMEOUT_MS: ms(50, 10_000).default(800),
    TANDEM_RETRY_AFTER_S: ms(1, 3600).default(5),
    TANDEM_SIP_T1_MS: ms(10, 10_000).default(500),
    TANDEM_SIP_T2_MS: ms(10, 60_000).default(4000),
    TANDEM_SIP_T4_MS: ms(10, 60_000).default(5000),
    TANDEM_CANCEL_WAIT_MS: ms(10, 60_000).default(4000),
    TANDEM_RELAY_ID: z.string().min(1).max(128).default(hostname()),
    /** Digest challenges sent to callers, in order (RFC 8760: strongest first; MD5 first for old UAs). */
    TANDEM_DIGEST_ALGORITHMS: z
      .string()
      .default('SHA-256,MD5')
      .transform((v) => v.split(',').map((a) => a.trim().toUpperCase()))
      .pipe(z.array(z.enum(['SHA-256', 'MD5'])).min(1)),
    /** Redis of the relay cluster: dialogs shared so any relay (or this one restarted) carries on a call. */
    TANDEM_REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
      .optional(),
    TANDEM_REDIS_PREFIX: z.string().min(1).max(64).default('tandem:'),
    /** How long a dialog is kept after its 2xx when no BYE comes (Kamailio's dialog default: 12 h). */
    TANDEM_DIALOG_TTL_S: ms(60, 7 * 86_400).default(43_200),
    /** Overload: from half this delay (ms) a share of new INVITEs gets 503 + Retry-After, all at 1.5 ×; 0: never. */
    TANDEM_OVERLOAD_LAG_MS: ms(0, 60_000).default(300),
    /** Flood protection: a source whose INVITEs get this many 403s within the window is dropped for the ban time; 0: off. */
    TANDEM_FLOOD_REJECTS: ms(0, 100_000).default(30),
    TANDEM_FLOOD_WINDOW_S: ms(1, 3600).default(10),
    TANDEM_FLOOD_BAN_S: ms(1, 7 * 86_400).default(600),
    /** Drop requests of known SIP scanners (friendly-scanner, sipvicious, sipcli...) unanswered. */
    TANDEM_DROP_SCANNERS: z.enum(['true', 'false']).default('true'),
    TANDEM_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .superRefine((s, ctx) => {
    if ((s.TANDEM_TLS_CERT === undefined) !== (s.TANDEM_TLS_KEY === undefined)) {
      const missing = s.TANDEM_TLS_CERT === undefined ? 'TANDEM_TLS_CERT' : 'TANDEM_TLS_KEY';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'TLS needs both TANDEM_TLS_CERT and TANDEM_TLS_KEY',
      });
    }
  });

/** The relay's config (edge-relay/config.ts: its zod schema is the one definition of the shape). */
export type RelaySettings = RelayConfig;

/**
 * Reads the relay's settings. `local` supplies the decision URL and token when
 * the relay runs inside `npm start` next to the local decision; alone
 * (`npm run relay`) both must come from the environment.
 */
export function loadRelaySettings(
  env: Record<string, string | undefined>,
  local: { decideUrl?: string; relayToken?: string } = {},
): RelaySettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = relaySettingsSchema.safeParse(present);
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0]), message: issue.message })),
    );
  }
  const s = parsed.data;
  const decideUrl = s.TANDEM_DECIDE_URL ?? local.decideUrl;
  const relayToken = s.TANDEM_RELAY_TOKEN ?? local.relayToken;
  const missing = [
    ...(decideUrl ? [] : [{ variable: 'TANDEM_DECIDE_URL', message: 'is required to run the relay alone' }]),
    ...(relayToken
      ? []
      : [{ variable: 'TANDEM_RELAY_TOKEN', message: 'is required to run the relay alone' }]),
  ];
  if (missing.length > 0 || !decideUrl || !relayToken) throw new SettingsError(missing);
  return {
    address: s.TANDEM_SIP_ADDRESS,
    ...(s.TANDEM_SIP_PUBLIC_ADDRESS ? { publicAddress: s.TANDEM_SIP_PUBLIC_ADDRESS } : {}),
    port: s.TANDEM_SIP_PORT,
    ...(s.TANDEM_TLS_CERT && s.TANDEM_TLS_KEY
      ? {
          tls: {
            certFile: s.TANDEM_TLS_CERT,
            keyFile: s.TANDEM_TLS_KEY,
            port: s.TANDEM_SIP_TLS_PORT ?? (s.TANDEM_SIP_PORT === 0 ? 0 : s.TANDEM_SIP_PORT + 1),
          },
        }
      : {}),
    ...(s.TANDEM_RELAY_HTTP_PORT !== undefined
      ? { http: { address: s.TANDEM_RELAY_HTTP_ADDRESS, port: s.TANDEM_RELAY_HTTP_PORT } }
      : {}),
    connections: { max: s.TANDEM_SIP_MAX_CONNECTIONS, firstMessageS: s.TANDEM_SIP_FIRST_MESSAGE_S },
    decideUrl,
    ...(s.TANDEM_DECIDE_CA_FILE ? { decideCaFile: s.TANDEM_DECIDE_CA_FILE } : {}),
    relayToken,
    decideTimeoutMs: s.TANDEM_DECIDE_TIMEOUT_MS,
    retryAfterS: s.TANDEM_RETRY_AFTER_S,
    relayId: s.TANDEM_RELAY_ID,
    digestAlgorithms: s.TANDEM_DIGEST_ALGORITHMS,
    timers: {
      t1: s.TANDEM_SIP_T1_MS,
      t2: s.TANDEM_SIP_T2_MS,
      t4: s.TANDEM_SIP_T4_MS,
      cancelWaitMs: s.TANDEM_CANCEL_WAIT_MS,
    },
    dialogs: {
      ...(s.TANDEM_REDIS_URL ? { redisUrl: s.TANDEM_REDIS_URL } : {}),
      keyPrefix: s.TANDEM_REDIS_PREFIX,
      ttlS: s.TANDEM_DIALOG_TTL_S,
    },
    overloadLagMs: s.TANDEM_OVERLOAD_LAG_MS,
    flood: {
      maxRejects: s.TANDEM_FLOOD_REJECTS,
      windowS: s.TANDEM_FLOOD_WINDOW_S,
      banS: s.TANDEM_FLOOD_BAN_S,
      dropScanners: s.TANDEM_DROP_SCANNERS === 'true',
    },
    logLevel: s.TANDEM_LOG_LEVEL,
  };
}
