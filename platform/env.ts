import type { z } from 'zod';

/** A bad environment: each issue names the variable, so a start fails with a message an operator can act on. */
export class SettingsError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`invalid settings: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
    this.name = 'SettingsError';
  }
}

/**
 * Validates the environment against a zod schema whose keys are variable
 * names; the one loader behind the API's, the decision's and the relay's
 * settings. An empty variable (`FOO=`) counts as unset, as shells and env
 * files usually intend.
 *
 * @example
 * const s = loadEnv(z.object({ TANDEM_API_PORT: z.coerce.number().default(8080) }), process.env);
 * s.TANDEM_API_PORT; // 8080
 */
export function loadEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const present = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0]), message: issue.message })),
    );
  }
  return parsed.data;
}
