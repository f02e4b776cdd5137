import { z } from '@hono/zod-openapi';

/** Something the API accepted but that will probably not do what was meant; shown on every read. */
export const configWarning = z.object({ field: z.string(), message: z.string() }).openapi('ConfigWarning');

export const configWarnings = z.array(configWarning).optional().openapi({
  description:
    'Present when a setting was accepted but will probably not match what was meant (docs/connect-a-pbx.md, "By source")',
});

export type ConfigWarning = z.infer<typeof configWarning>;

export type SourcedPeer = { transport?: unknown; allowed_sources?: { port?: number | undefined }[] };

/**
 * A peer that sends over TCP or TLS usually connects from an ephemeral port, so a source port
 * matches only a peer that binds its connections to that port (sipp does, most PBXs do not).
 * The API cannot know which kind the peer is: it keeps the port and says so instead of refusing.
 */
export function sourceWarnings(peer: SourcedPeer): ConfigWarning[] {
  if (peer.transport !== 'tcp' && peer.transport !== 'tls') return [];
  return (peer.allowed_sources ?? []).flatMap((source, i) =>
    source.port === undefined
      ? []
      : [
          {
            field: `allowed_sources.${i}.port`,
            message: `over ${peer.transport} most peers connect from an ephemeral port: this source matches only connections from port ${source.port}; leave the port out unless the peer binds its connections to it`,
          },
        ],
  );
}
