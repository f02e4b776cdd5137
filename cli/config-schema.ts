import { z } from 'zod';
import { usageError } from './errors';

// Loaded only when a config file exists (config-store.ts): zod is most of the CLI's start-up time.

/** What a profile of the config file may hold; every field optional. */
export const profile = z
  .object({
    url: z.string().optional(),
    key: z.string().optional(),
    relay_url: z.string().optional(),
    relay_token: z.string().optional(),
  })
  .strict();
export type Profile = z.infer<typeof profile>;

/** `~/.config/tandem/config.json`: named profiles and the one used when none is named. */
export const configFile = z
  .object({ current: z.string().optional(), profiles: z.record(z.string(), profile).default({}) })
  .strict();
export type ConfigFile = z.infer<typeof configFile>;

/** The config file's text checked; its path names it in a message. */
export function parseConfig(text: string, path: string): ConfigFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`the config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = configFile.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usageError(
      `the config file ${path} is invalid: ${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}
