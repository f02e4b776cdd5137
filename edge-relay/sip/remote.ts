import type { Transport } from '../../contract/peer';

/**
 * Where a datagram or stream frame came from: the peer's transport, address and port. An inbound
 * TLS connection whose peer presented a client certificate also carries its SHA-256 (lowercase hex,
 * no colons), computed once per connection.
 */
export type Remote = { transport: Transport; address: string; port: number; clientCertSha256?: string };
