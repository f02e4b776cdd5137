import { describe, expect, it } from 'vitest';
import { decideRequest } from '../../contract/decide';
import { invite } from '../sip/test-messages';
import { decideRequestFor } from './decide-request';

const SHA = '61e436437d340cc69e59b9979a3d8af2cdcafc20d07ef9ad380e1a6f89175ee6';
const env = { relayId: 'relay-1' };

describe('decideRequestFor: the TLS client certificate', () => {
  it('sends the fingerprint of the certificate the TLS peer presented', () => {
    const source = {
      transport: 'tls' as const,
      address: '198.51.100.7',
      port: 40_000,
      clientCertSha256: SHA,
    };
    const request = decideRequestFor(invite(), source, env);
    expect(request.source).toEqual({
      ip: '198.51.100.7',
      port: 40_000,
      transport: 'tls',
      tls_client_cert_sha256: SHA,
    });
    expect(decideRequest.safeParse(request).success).toBe(true);
  });

  it('sends none when the peer presented none (and never over UDP or TCP)', () => {
    for (const transport of ['tls', 'udp', 'tcp'] as const) {
      const request = decideRequestFor(invite(), { transport, address: '198.51.100.7', port: 5070 }, env);
      expect(request.source).toEqual({ ip: '198.51.100.7', port: 5070, transport });
    }
  });
});
