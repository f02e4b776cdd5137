import { z } from 'zod';
import { loadEnv, SettingsError } from '../../platform/env';
import { type RelayConfig, relayConfig } from '../config';

/** How one variable's text becomes a config value; the config schema then checks ranges and applies defaults. */
const number = (v: string) => (/^-?\d+(?:\.\d+)?$/.test(v.trim()) ? Number(v) : v);
const text = (v: string) => v;
const bool = (v: string) => (v === 'true' ? true : v === 'false' ? false : v);
const list = (v: string) => v.split(',').map((a) => a.trim().toUpperCase());

/**
 * Each relay variable and where it lands in `RelayConfig` (edge-relay/config.ts):
 * the config's zod schema holds every default and range once; this table only
 * names the variables, so an error can name the one that is wrong.
 */
const variables = {
  TANDEM_SIP_ADDRESS: [['address'], text],
  /** Host written in Via and Record-Route when the relay sits behind NAT. */
  TANDEM_SIP_PUBLIC_ADDRESS: [['publicAddress'], text],
  TANDEM_SIP_PORT: [['port'], number],
  TANDEM_SIP_MAX_CONNECTIONS: [['connections', 'max'], number],
  TANDEM_SIP_FIRST_MESSAGE_S: [['connections', 'firstMessageS'], number],
  TANDEM_RELAY_HTTP_ADDRESS: [['http', 'address'], text],
  TANDEM_RELAY_HTTP_PORT: [['http', 'port'], number],
  TANDEM_DECIDE_URL: [['decideUrl'], text],
  TANDEM_DECIDE_CA_FILE: [['decideCaFile'], text],
  TANDEM_RELAY_TOKEN: [['relayToken'], text],
  TANDEM_DECIDE_TIMEOUT_MS: [['decideTimeoutMs'], number],
  TANDEM_RETRY_AFTER_S: [['retryAfterS'], number],
  TANDEM_DRAIN_S: [['drainS'], number],
  TANDEM_RELAY_ID: [['relayId'], text],
  TANDEM_SITE_ID: [['siteId'], text],
  /** The API's base URL (provider status, health targets); beside the decision URL when unset. */
  TANDEM_API_URL: [['apiUrl'], text],
  TANDEM_LEASE_TTL_S: [['admission', 'leaseTtlS'], number],
  TANDEM_ADMISSION_LOCAL_SHARE: [['admission', 'localShare'], number],
  TANDEM_DIGEST_ALGORITHMS: [['digestAlgorithms'], list],
  TANDEM_REDIS_URL: [['dialogs', 'redisUrl'], text],
  TANDEM_REDIS_PREFIX: [['dialogs', 'keyPrefix'], text],
  TANDEM_DIALOG_TTL_S: [['dialogs', 'ttlS'], number],
  TANDEM_DIALOG_EXPIRY_CHECK_S: [['dialogs', 'expiryCheckS'], number],
  TANDEM_DIALOG_FSYNC_MS: [['dialogs', 'journalFsyncMs'], number],
  TANDEM_REDIS_TIMEOUT_MS: [['dialogs', 'redisTimeoutMs'], number],
  TANDEM_OVERLOAD_LAG_MS: [['overloadLagMs'], number],
  TANDEM_WARM_UP_CALLS: [['warmUpCalls'], number],
  TANDEM_FLOOD_REJECTS: [['flood', 'maxRejects'], number],
  TANDEM_FLOOD_WINDOW_S: [['flood', 'windowS'], number],
  TANDEM_FLOOD_BAN_S: [['flood', 'banS'], number],
  TANDEM_DROP_SCANNERS: [['flood', 'dropScanners'], bool],
  TANDEM_SIP_T1_MS: [['timers', 't1'], number],
  TANDEM_SIP_T2_MS: [['timers', 't2'], number],
  TANDEM_SIP_T4_MS: [['timers', 't4'], number],
  TANDEM_CANCEL_WAIT_MS: [['timers', 'cancelWaitMs'], number],
  TANDEM_LOG_LEVEL: [['logLevel'], text],
  /** Where the relay keeps state across restarts; systemd's STATE_DIRECTORY when unset (below). */
  TANDEM_DATA_DIR: [['dataDir'], text],
  /** `POST /v1/cdrs`; beside the decision URL when unset (required in AWS: another function). */
  TANDEM_CDR_URL: [['cdr', 'url'], text],
  TANDEM_SPOOL_DIR: [['cdr', 'spoolDir'], text],
  TANDEM_CDR_SPOOL_CAP_MB: [['cdr', 'capMb'], number],
  TANDEM_CDR_FSYNC_MS: [['cdr', 'fsyncMs'], number],
  TANDEM_CDR_BATCH: [['cdr', 'batchSize'], number],
} satisfies Record<string, [string[], (v: string) => unknown]>;

/** TLS variables are read together: both files, and a port that defaults to the SIP port + 1. */
const tlsVariables = ['TANDEM_TLS_CERT', 'TANDEM_TLS_KEY', 'TANDEM_SIP_TLS_PORT'] as const;

/**
 * Set by systemd for a unit with `StateDirectory=` (infra/relay/tandem-relay.service): the relay's
 * data folder unless TANDEM_DATA_DIR names one. Not an operator's variable, so not in the schema
 * (nor in relay.env.example); several folders come colon-separated, and the first is ours.
 */
const STATE_DIRECTORY = 'STATE_DIRECTORY';

/** The relay's variables, as text; what each means and its default are in the config schema. */
export const relaySettingsSchema = z
  .object(
    Object.fromEntries(
      [...Object.keys(variables), ...tlsVariables].map((name) => [name, z.string().min(1).optional()]),
    ) as Record<keyof typeof variables | (typeof tlsVariables)[number], z.ZodOptional<z.ZodString>>,
  )
  .extend({ TANDEM_RELAY_TOKEN: z.string().min(16, 'must be at least 16 characters').optional() })
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

/**
 * Reads the relay's settings from the environment; a bad value stops the
 * start with a message naming the variable. `local` supplies the decision URL
 * and token when the relay runs inside `npm start` next to the local decision;
 * alone (`npm run relay`) both must come from the environment.
 *
 * @example
 * const config = loadRelaySettings(process.env);
 * const relay = await startRelay(config);
 */
export function loadRelaySettings(
  env: Record<string, string | undefined>,
  local: { decideUrl?: string; relayToken?: string } = {},
): RelayConfig {
  const s = loadEnv(relaySettingsSchema, env);
  const input: Record<string, unknown> = { decideUrl: local.decideUrl, relayToken: local.relayToken };
  const variableAt = new Map<string, string>();
  for (const [name, [path, read]] of Object.entries(variables) as [
    string,
    [string[], (v: string) => unknown],
  ][]) {
    variableAt.set(path.join('.'), name);
    const value = s[name as keyof typeof s];
    if (value !== undefined) setPath(input, path, read(value));
  }
  const stateDirectory = env[STATE_DIRECTORY]?.split(':')[0];
  if (s.TANDEM_DATA_DIR === undefined && stateDirectory) input['dataDir'] = stateDirectory;
  if (s.TANDEM_TLS_CERT && s.TANDEM_TLS_KEY) {
    const sipPort =
      typeof input['port'] === 'number' ? input['port'] : relayConfig.shape.port.parse(undefined);
    input['tls'] = {
      certFile: s.TANDEM_TLS_CERT,
      keyFile: s.TANDEM_TLS_KEY,
      port:
        s.TANDEM_SIP_TLS_PORT !== undefined ? number(s.TANDEM_SIP_TLS_PORT) : sipPort === 0 ? 0 : sipPort + 1,
    };
    variableAt.set('tls.port', 'TANDEM_SIP_TLS_PORT');
  }
  const parsed = relayConfig.safeParse(input);
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((issue) => {
        const path = issue.path.map(String);
        const at = path
          .map((_, i) => path.slice(0, path.length - i).join('.'))
          .find((p) => variableAt.has(p));
        const variable = at === undefined ? path.join('.') : variableAt.get(at)!;
        const alone = issue.path[0] === 'decideUrl' || issue.path[0] === 'relayToken';
        return {
          variable,
          message:
            alone && issue.code === 'invalid_type' ? 'is required to run the relay alone' : issue.message,
        };
      }),
    );
  }
  if (
    parsed.data.cdr.url === undefined &&
    LAMBDA_FUNCTION_URL.test(new URL(parsed.data.decideUrl).hostname)
  ) {
    // The default CDR URL sits beside the decision's, and a decision function URL serves nothing
    // else: records would pile up until the spool's cap stops calls.
    throw new SettingsError([
      {
        variable: 'TANDEM_CDR_URL',
        message: "is required when TANDEM_DECIDE_URL is a Lambda function URL: the API's URL + /v1/cdrs",
      },
    ]);
  }
  return parsed.data;
}

/** Host of an AWS Lambda function URL (the decision's in AWS: infra/decision.ts). */
const LAMBDA_FUNCTION_URL = /\.lambda-url\.[a-z0-9-]+\.on\.aws$/;

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}
