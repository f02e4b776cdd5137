import { z } from '@hono/zod-openapi';

/*
 * What the decision and the relay both say about a SIP peer (an IPBX or a
 * provider): its id, transport, stored digest credentials and media policy.
 * The configuration API's resources embed these; the decide answer carries them.
 */

// z.guid, not z.uuid: the default customer's id is not an RFC 9562 variant UUID.
export const id = z.guid().openapi({ example: '3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10' });

export const transport = z.enum(['udp', 'tcp', 'tls']);
export type Transport = z.infer<typeof transport>;

/** Stored form of digest credentials (RFC 7616: HA1 per algorithm). */
export const storedCredentials = z.object({
  username: z.string(),
  realm: z.string(),
  ha1_md5: z.string().regex(/^[0-9a-f]{32}$/),
  ha1_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type StoredCredentials = z.infer<typeof storedCredentials>;

/** An RTP codec as named in SDP rtpmap lines (`PCMU`, `PCMA`, `G722`, `opus`, ...). */
export const codecName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be a codec name as written in SDP rtpmap')
  .openapi({ example: 'PCMA' });

/**
 * What media this peer takes when Tandem anchors its calls (rtpengine).
 * `allow`: codecs offered to it (empty = whatever the other side offers);
 * `transcode`: codecs rtpengine adds by transcoding when the other side lacks them.
 */
export const codecPolicy = z.object({
  allow: z.array(codecName).max(32).default([]),
  transcode: z.array(codecName).max(32).default([]),
});
export type CodecPolicy = z.infer<typeof codecPolicy>;

/** How this peer carries DTMF: RFC 2833/4733 telephone-event, in-band audio, or SIP INFO. */
export const dtmfMode = z.enum(['rfc2833', 'inband', 'info']);
export type DtmfMode = z.infer<typeof dtmfMode>;
