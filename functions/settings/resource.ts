import { Resource } from 'sst/resource';
import { settingLinks } from './links';

type Env = Record<string, string | undefined>;

/**
 * The environment settings.ts validates, completed from what SST links into a
 * Lambda function, so Lambda and the local stack share one validation.
 * A variable already set in `env` wins (an explicit override); without SST
 * links (local, tests) `env` comes back unchanged.
 *
 * @example
 * // functions/api/lambda.ts
 * const settings = loadSettings(linkedEnv(process.env));
 */
export function linkedEnv(env: Env, linked: object = Resource): Env {
  const out: Env = { ...env };
  for (const [variable, { link, property }] of Object.entries(settingLinks)) {
    if (out[variable] !== undefined && out[variable] !== '') continue;
    if (!Reflect.has(linked, link)) continue;
    const value = (Reflect.get(linked, link) as Record<string, unknown> | undefined)?.[property];
    if (typeof value !== 'string') {
      throw new Error(`SST link ${link} has no string "${property}" (setting ${variable})`);
    }
    out[variable] = value;
  }
  return out;
}
