import { describe, expect, it } from 'vitest';
import { ipbxInput } from './ipbx';
import { MAX_CA_PEM_BYTES, peerTls, pemCertificatesProblem } from './peer-tls';
import { FIXTURE_CERT_OPENSSL_SHA256, FIXTURE_CERT_PEM, FIXTURE_CERT_SHA256 } from './peer-tls.fixture';
import { providerInput } from './provider';

const body = FIXTURE_CERT_PEM.split('\n').slice(1, -2).join('\n');

describe('pemCertificatesProblem', () => {
  it('accepts one certificate, a bundle, and comment lines between blocks', () => {
    expect(pemCertificatesProblem(FIXTURE_CERT_PEM)).toBeUndefined();
    expect(pemCertificatesProblem(`# carrier CA\n${FIXTURE_CERT_PEM}subject=x\n${FIXTURE_CERT_PEM}`)).toBe(
      undefined,
    );
    expect(pemCertificatesProblem(FIXTURE_CERT_PEM.replaceAll('\n', '\r\n'))).toBeUndefined();
  });

  it.each([
    ['no PEM at all', 'hello', 'must hold PEM certificates'],
    ['an empty string', '', 'must hold PEM certificates'],
    ['base64 without armour', body, 'must hold PEM certificates'],
    [
      'a private key',
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n',
      'holds a PRIVATE KEY block',
    ],
    [
      'a broken certificate',
      '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
      'certificate 1 is not a valid X.509 certificate',
    ],
    [
      'a truncated second block',
      `${FIXTURE_CERT_PEM}-----BEGIN CERTIFICATE-----\n${body}`,
      'has an unterminated PEM block',
    ],
  ])('refuses %s', (_what, pem, message) => {
    expect(pemCertificatesProblem(pem)).toContain(message);
  });

  it('never echoes the refused text', () => {
    const secret = '-----BEGIN PRIVATE KEY-----\nU0VDUkVUS0VZTUFURVJJQUw=\n-----END PRIVATE KEY-----\n';
    expect(pemCertificatesProblem(secret)).not.toContain('U0VDUkVU');
  });
});

describe('peerTls', () => {
  it('defaults to verifying with the system CAs and no pins', () => {
    expect(peerTls.parse({})).toEqual({ verify_server: true, ca_pem: null, client_cert_sha256: [] });
  });

  it('stores fingerprints lowercase without colons, as the relay reports them', () => {
    const parsed = peerTls.parse({
      client_cert_sha256: [FIXTURE_CERT_OPENSSL_SHA256, ` ${FIXTURE_CERT_SHA256.toUpperCase()} `],
    });
    expect(parsed.client_cert_sha256).toEqual([FIXTURE_CERT_SHA256, FIXTURE_CERT_SHA256]);
  });

  it.each([['abc'], [`${FIXTURE_CERT_SHA256}00`], ['zz'.repeat(32)], [FIXTURE_CERT_PEM]])(
    'refuses the fingerprint %j',
    (fingerprint) => {
      const result = peerTls.safeParse({ client_cert_sha256: [fingerprint] });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['client_cert_sha256', 0]);
    },
  );

  it('refuses a CA bundle over 64 KiB or that is not certificates, naming ca_pem', () => {
    const big = `${FIXTURE_CERT_PEM}${'#'.repeat(MAX_CA_PEM_BYTES)}`;
    for (const ca_pem of [big, 'not a pem']) {
      const result = peerTls.safeParse({ ca_pem });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['ca_pem']);
    }
  });

  it('is part of providers and IPBXs, defaulted when absent', () => {
    const provider = providerInput.parse({ hostname: 'sip.example', name: 'p' });
    expect(provider.tls).toEqual({ verify_server: true, ca_pem: null, client_cert_sha256: [] });
    const ipbx = ipbxInput.parse({
      customer_id: '00000000-0000-0000-0000-000000000001',
      hostname: 'pbx.example',
      name: 'i',
      tls: { verify_server: false, ca_pem: FIXTURE_CERT_PEM },
    });
    expect(ipbx.tls).toEqual({ verify_server: false, ca_pem: FIXTURE_CERT_PEM, client_cert_sha256: [] });
    // Defaults are fresh objects: one parse's list is not another's.
    provider.tls.client_cert_sha256.push('x');
    expect(providerInput.parse({ hostname: 'sip.example', name: 'p' }).tls.client_cert_sha256).toEqual([]);
  });
});
