/**
 * A self-signed certificate for tests of `tls` settings (CN fixture.example, EC P-256, valid
 * until 2126); nothing trusts it. Its SHA-256 as `openssl x509 -fingerprint -sha256` prints it.
 */
export const FIXTURE_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBijCCATGgAwIBAgIUPkVboWtBFbx59OMlor2jFKnLD2kwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPZml4dHVyZS5leGFtcGxlMCAXDTI2MTIwNTA5MTUwOFoYDzIx
MjYxMTExMDkxNTA4WjAaMRgwFgYDVQQDDA9maXh0dXJlLmV4YW1wbGUwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAQ1hPMZbC7FbSFoPNUgYRebmDLsruTeEVUjdG8O
82DF6tKuPqQWpnbd/zvzkENyHf8G8GXcP3QWOX5MGcjEdM2ko1MwUTAdBgNVHQ4E
FgQUfjQ+OXYtSWatkHkY+gHokmPhBTcwHwYDVR0jBBgwFoAUfjQ+OXYtSWatkHkY
+gHokmPhBTcwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBynLBV
lH5hMB5CICH/bsrdq0bN44+s6en3RJOInKh5aQIgE5T6oW63Uj3b+a0XlcGd7TLy
97T4n1zLeC/gcLTMwuo=
-----END CERTIFICATE-----
`;

export const FIXTURE_CERT_OPENSSL_SHA256 =
  '61:E4:36:43:7D:34:0C:C6:9E:59:B9:97:9A:3D:8A:F2:CD:CA:FC:20:D0:7E:F9:AD:38:0E:1A:6F:89:17:5E:E6';
export const FIXTURE_CERT_SHA256 = FIXTURE_CERT_OPENSSL_SHA256.replaceAll(':', '').toLowerCase();
