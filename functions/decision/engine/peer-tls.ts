import type { DecideRequest, RouteTarget } from '../../../contract/decide';
import type { Transport } from '../../../contract/peer';
import type { PeerTls } from '../../domain/peer-tls';

type Peer = { transport: Transport; tls?: PeerTls | undefined };

/**
 * How the relay verifies a target it reaches over TLS: the peer's `tls` settings, verifying
 * with the system CAs when it has none (objects stored before they existed). Undefined for
 * UDP/TCP targets.
 *
 * @example
 * targetTls({ transport: 'tls', tls: { verify_server: true, ca_pem: pem, client_cert_sha256: [] } });
 * // { verify: true, ca: pem }
 */
export function targetTls(peer: Peer): RouteTarget['tls'] {
  if (peer.transport !== 'tls') return undefined;
  const verify = peer.tls?.verify_server ?? true;
  const ca = peer.tls?.ca_pem;
  return verify && ca ? { verify, ca } : { verify };
}

export type ClientCertRefusal = 'client_certificate_required' | 'client_certificate_mismatch';

/**
 * The pinning rule: a source whose `tls.client_cert_sha256` is not empty must, over TLS, present
 * one of those certificates. Calls over UDP/TCP are not concerned (their source address is the
 * proof, as for every other peer); undefined when the call may go on.
 *
 * @example
 * clientCertRefusal({ ip: '192.0.2.1', port: 5061, transport: 'tls' }, pinned); // 'client_certificate_required'
 */
export function clientCertRefusal(
  source: DecideRequest['source'],
  peer: { tls?: PeerTls | undefined },
): ClientCertRefusal | undefined {
  const pins = peer.tls?.client_cert_sha256;
  if (source.transport !== 'tls' || !pins || pins.length === 0) return undefined;
  const presented = source.tls_client_cert_sha256;
  if (!presented) return 'client_certificate_required';
  return pins.includes(presented) ? undefined : 'client_certificate_mismatch';
}
