import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type TestCert = {
  certFile: string;
  keyFile: string;
  /** The certificate, PEM. */
  cert: string;
  key: string;
  /** SHA-256 of the certificate, lowercase hex without colons (as the relay reports it). */
  sha256: string;
};

/**
 * A throwaway self-signed certificate (EC P-256, valid one day) made with openssl in `dir`,
 * with the subjectAltNames given (`DNS:localhost`, `IP:127.0.0.1`) or none.
 *
 * @example
 * const carrier = makeCert(dir, 'carrier', { cn: 'localhost', san: ['DNS:localhost'] });
 */
export function makeCert(dir: string, name: string, options: { cn: string; san?: string[] }): TestCert {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=${options.cn}`,
      ...(options.san?.length ? ['-addext', `subjectAltName=${options.san.join(',')}`] : []),
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certFile, 'utf8');
  const sha256 = new X509Certificate(cert).fingerprint256.replaceAll(':', '').toLowerCase();
  return { certFile, keyFile, cert, key: readFileSync(keyFile, 'utf8'), sha256 };
}
