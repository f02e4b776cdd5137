import type { SipRequest, SipResponse } from '../sip/message';
import type { Destination, Remote, SipTransport } from '../transport/sip-transport';
import { ClientTransactions } from './client-transactions';
import { type RequestMatch, type ServerTransaction, ServerTransactions } from './server-transactions';
import type { TxTimers } from './timers';

export type { RequestMatch, ServerTransaction } from './server-transactions';
export type { TxTimers } from './timers';

/**
 * RFC 3261 §17 for a stateful proxy: the server transactions (server-transactions.ts) and the
 * client transactions (client-transactions.ts) of one relay, behind the one object the runtime uses.
 */
export class Transactions {
  private readonly servers: ServerTransactions;
  private readonly clients: ClientTransactions;

  constructor(transport: SipTransport, timers: TxTimers) {
    this.servers = new ServerTransactions(transport, timers);
    this.clients = new ClientTransactions(transport, timers);
  }

  get size(): { servers: number; clients: number } {
    return { servers: this.servers.size, clients: this.clients.size };
  }

  /** See ServerTransactions.receive. */
  receive(request: SipRequest, source: Remote): RequestMatch {
    return this.servers.receive(request, source);
  }

  createServer(request: SipRequest, source: Remote): ServerTransaction {
    return this.servers.create(request, source);
  }

  /** Sends a response through its server transaction (and keeps it for retransmissions). */
  respond(handle: ServerTransaction, response: SipResponse): void {
    this.servers.respond(handle, response);
  }

  /** Sends a request in a new client transaction keyed by its top Via branch. */
  request(request: SipRequest, to: Destination, onResponse: (response: SipResponse) => void): void {
    this.clients.request(request, to, onResponse);
  }

  /** See ClientTransactions.terminateInvite. */
  terminateInvite(branchKey: string): void {
    this.clients.terminateInvite(branchKey);
  }

  /** Cancels a pending INVITE; without a provisional yet, the CANCEL waits for one (§9.1). */
  cancel(branchKey: string): void {
    this.clients.cancel(branchKey);
  }

  /** A received response; false when no client transaction matches. */
  receiveResponse(response: SipResponse): boolean {
    return this.clients.receiveResponse(response);
  }

  close(): void {
    this.servers.close();
    this.clients.close();
  }
}
