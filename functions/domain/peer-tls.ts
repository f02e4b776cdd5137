import { X509Certificate } from 'node:crypto';
import { z } from '@hono/zod-openapi';

/** Largest `tls.ca_pem` accepted: 64 KiB (a few dozen certificates). */
export const MAX_CA_PEM_BYTES = 64 * 1024;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/**
 * Why `pem` is not a bundle of PEM certificates, or undefined when it is: at least one
 * `CERTIFICATE` block, each a parseable X.509 certificate, and no other kind of block (a private
 * key pasted by mistake is refused without being echoed). Text between blocks is ignored, as
 * OpenSSL does (bundles often carry `# comment` or `subject=` lines).
 *
 * @example
 * pemCertificatesProblem('hello'); // 'must hold PEM certificates (-----BEGIN CERTIFICATE-----)'
 */
export function pemCertificatesProblem(pem: string): string | undefined {
  let count = 0;
  for (const block of pem.matchAll(PEM_BLOCK)) {
    if (block[1] !== 'CERTIFICATE') return `holds a ${block[1]} block: only CERTIFICATE blocks are accepted`;
    count++;
    try {
      new X509Certificate(block[0]);
    } catch {
      return `certificate ${count} is not a valid X.509 certificate`;
    }
  }
  if (count === 0) return 'must hold PEM certificates (-----BEGIN CERTIFICATE-----)';
  if (pem.split('-----BEGIN ').length - 1 !== count) return 'has an unterminated PEM block';
  return undefined;
}

/**
 * A certificate's SHA-256 fingerprint: 64 hex digits, with or without the colons OpenSSL prints
 * (`openssl x509 -noout -fingerprint -sha256`); stored lowercase without colons, as the relay
 * reports it.
 */
export const certFingerprint = z
  .string()
  .max(128)
  .overwrite((s) => s.trim().replaceAll(':', '').toLowerCase())
  .regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 fingerprint: 64 hex digits (colons allowed)')
  .openapi({ example: '3b4c1f0e9a7d2c5b8e6f1a0d3c2b4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d' });

/**
 * TLS with this peer (used when its `transport` is `tls`). Outbound: the relay verifies the
 * peer's certificate chain and host name unless `verify_server` is false (an explicit opt-out),
 * against `ca_pem` instead of the system CAs when set. Inbound: a non-empty
 * `client_cert_sha256` makes calls from this peer over TLS present one of these client
 * certificates (pinning), else 403.
 */
export const peerTls = z
  .object({
    verify_server: z.boolean().default(true).openapi({
      description:
        "Verify the peer's TLS certificate (chain and host name) when the relay connects to it. false is an explicit opt-out: the connection is encrypted but the peer is not authenticated.",
    }),
    ca_pem: z
      .string()
      .max(MAX_CA_PEM_BYTES, 'must be at most 64 KiB')
      .superRefine((pem, ctx) => {
        const problem = pemCertificatesProblem(pem);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .nullable()
      .default(null)
      .openapi({
        description:
          'PEM certificates (a CA bundle, or the peer’s self-signed certificate) trusted instead of the system CAs when verifying this peer; at most 64 KiB.',
      }),
    client_cert_sha256: z.array(certFingerprint).max(20).default([]).openapi({
      description:
        'SHA-256 fingerprints of the client certificates this peer may present on inbound TLS connections. Non-empty: calls from it over TLS without one of them are refused with 403.',
    }),
  })
  .openapi('PeerTls');

export type PeerTls = z.infer<typeof peerTls>;

/** What a peer without a `tls` object gets (and what objects stored before it had). */
export const DEFAULT_PEER_TLS: PeerTls = { verify_server: true, ca_pem: null, client_cert_sha256: [] };
