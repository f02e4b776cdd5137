import type { Transport } from '../../contract/peer';

/** Where a datagram or stream frame came from: the peer's transport, address and port. */
export type Remote = { transport: Transport; address: string; port: number };
