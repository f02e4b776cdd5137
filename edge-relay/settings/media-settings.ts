import { z } from 'zod';
import { loadEnv } from '../../platform/env';

/** One rtpengine ng-protocol control address, written `host:port` (IPv6 as `[::1]:2223`). */
export type RtpengineAddress = { host: string; port: number };

/**
 * Parses `host:port,host:port` into addresses; returns an error message
 * instead of throwing so the zod schema can report it under the variable name.
 *
 * @example
 * parseRtpengineList('10.0.0.5:2223,[::1]:2223');
 * // [{ host: '10.0.0.5', port: 2223 }, { host: '::1', port: 2223 }]
 */
export function parseRtpengineList(value: string): RtpengineAddress[] | string {
  const addresses: RtpengineAddress[] = [];
  for (const item of value.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(item);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) return `"${item}" is not host:port`;
    addresses.push({ host: (match[1] ?? match[2])!, port });
  }
  return addresses;
}

/**
 * Media anchoring settings, validated once at start like settings.ts.
 * No `TANDEM_RTPENGINE` means no anchoring (calls pass media end to end).
 *
 * @example
 * loadMediaSettings({ TANDEM_RTPENGINE: '127.0.0.1:2223' });
 * // { rtpengines: [{ host: '127.0.0.1', port: 2223 }], failurePolicy: 'unanchored' }
 */
export const mediaSettingsSchema = z
  .object({
    TANDEM_RTPENGINE: z
      .string()
      .default('')
      .transform((value, ctx) => {
        const parsed = parseRtpengineList(value);
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: parsed });
          return z.NEVER;
        }
        return parsed;
      }),
    /** With no rtpengine reachable: `unanchored` passes the SDP unchanged, `reject` fails the call with 503. */
    TANDEM_MEDIA_FAILURE_POLICY: z.enum(['unanchored', 'reject']).default('unanchored'),
  })
  .transform((s) => ({ rtpengines: s.TANDEM_RTPENGINE, failurePolicy: s.TANDEM_MEDIA_FAILURE_POLICY }));

export type MediaSettings = z.output<typeof mediaSettingsSchema>;
export type MediaFailurePolicy = MediaSettings['failurePolicy'];

export function loadMediaSettings(env: Record<string, string | undefined>): MediaSettings {
  return loadEnv(mediaSettingsSchema, env);
}
