import { join } from 'node:path';
import type { ConfigFile, Profile } from './config-schema';
import { usageError } from './errors';

export type { ConfigFile, Profile };

export type Source = 'flag' | 'env' | 'config' | 'default' | 'none';

export type Settings = {
  readonly profile: string;
  readonly url: string;
  readonly key: string | undefined;
  readonly relayUrl: string | undefined;
  readonly relayToken: string | undefined;
  readonly sources: Readonly<Record<'url' | 'key' | 'relayUrl' | 'relayToken', Source>>;
};

export type SettingFlags = {
  url?: string | undefined;
  key?: string | undefined;
  profile?: string | undefined;
  relay?: string | undefined;
  relayToken?: string | undefined;
};

/** The local stack's API (`npm start`'s default address). */
export const DEFAULT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_PROFILE = 'default';

/** Where the config file is: `$TANDEM_CONFIG`, else `$XDG_CONFIG_HOME/tandem`, else `~/.config/tandem`. */
export function configPath(env: NodeJS.ProcessEnv, home: string): string {
  if (env.TANDEM_CONFIG) return env.TANDEM_CONFIG;
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'tandem', 'config.json');
}

/** The profile in use: `--profile`, else `TANDEM_PROFILE`, else the file's `current`, else `default`. */
export function profileName(
  flags: SettingFlags,
  env: NodeJS.ProcessEnv,
  file: ConfigFile | undefined,
): string {
  return flags.profile || env.TANDEM_PROFILE || file?.current || DEFAULT_PROFILE;
}

/**
 * Each setting from the first place that has it: a flag, then the environment (`TANDEM_URL`,
 * `TANDEM_KEY`, `TANDEM_RELAY_URL`, `TANDEM_RELAY_TOKEN`), then the profile; the URL defaults to
 * the local stack. A profile named by a flag or `TANDEM_PROFILE` must exist.
 */
export function resolveSettings(
  flags: SettingFlags,
  env: NodeJS.ProcessEnv,
  file: ConfigFile | undefined,
): Settings {
  const name = profileName(flags, env, file);
  const named = Boolean(flags.profile || env.TANDEM_PROFILE);
  const stored = file?.profiles[name];
  if (named && !stored) {
    const known = Object.keys(file?.profiles ?? {});
    throw usageError(
      `no profile ${JSON.stringify(name)} in the config file${known.length ? ` (it has ${known.join(', ')})` : ''}`,
    );
  }
  const pick = (flag: string | undefined, envValue: string | undefined, fromFile: string | undefined) =>
    flag
      ? { value: flag, source: 'flag' as const }
      : envValue
        ? { value: envValue, source: 'env' as const }
        : fromFile
          ? { value: fromFile, source: 'config' as const }
          : { value: undefined, source: 'none' as const };
  const url = pick(flags.url, env.TANDEM_URL, stored?.url);
  const key = pick(flags.key, env.TANDEM_KEY, stored?.key);
  const relayUrl = pick(flags.relay, env.TANDEM_RELAY_URL, stored?.relay_url);
  const relayToken = pick(flags.relayToken, env.TANDEM_RELAY_TOKEN, stored?.relay_token);
  return {
    profile: name,
    url: url.value ?? DEFAULT_URL,
    key: key.value,
    relayUrl: relayUrl.value,
    relayToken: relayToken.value,
    sources: {
      url: url.value ? url.source : 'default',
      key: key.source,
      relayUrl: relayUrl.source,
      relayToken: relayToken.source,
    },
  };
}

/**
 * A secret as it may be shown: its first four characters (`tdm_`, which says what kind of key it
 * is) and its length, never more.
 *
 * @example
 * maskSecret('tdm_abcdefghijklmnop'); // 'tdm_… (20 characters)'
 */
export function maskSecret(secret: string | undefined): string {
  if (!secret) return '(none)';
  return `${secret.length > 8 ? secret.slice(0, 4) : ''}… (${secret.length} characters)`;
}

/** `file` with `changes` written into profile `name` (an empty string removes a field). */
export function withProfile(file: ConfigFile | undefined, name: string, changes: Profile): ConfigFile {
  const current: Profile = { ...(file?.profiles[name] ?? {}) };
  for (const [field, value] of Object.entries(changes) as [keyof Profile, string | undefined][]) {
    if (value === undefined) continue;
    if (value === '') delete current[field];
    else current[field] = value;
  }
  return { ...(file ?? {}), profiles: { ...(file?.profiles ?? {}), [name]: current } };
}
