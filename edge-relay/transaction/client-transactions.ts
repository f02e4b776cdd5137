import { detached } from '../sip/detached';
import { type SipRequest, type SipResponse, serialize } from '../sip/message';
import { makeResponse } from '../sip/response';
import type { Destination, SipTransport } from '../transport/sip-transport';
import { ackFor, cancelFor, clientKey } from './build';
import { acceptedResponse, completedRequest } from './completed-messages';
import { Reaper } from './reaper';
import { later, retransmit, stopTimers, type TxTimers } from './timers';

type ClientState = {
  key: string;
  request: SipRequest;
  raw: string;
  /** The hop-by-hop ACK of a non-2xx final, sent again for each retransmission of that final. */
  ack: string | undefined;
  to: Destination;
  invite: boolean;
  provisional: boolean;
  final: SipResponse | undefined;
  cancelWanted: boolean;
  cancelSent: boolean;
  onResponse: (response: SipResponse) => void;
  timers: NodeJS.Timeout[];
};

const noop = () => {};

/**
 * RFC 3261 §17.1 for a stateful proxy: client transactions retransmit over UDP, time out into a
 * 408, ACK non-2xx finals hop by hop and CANCEL.
 */
export class ClientTransactions {
  private readonly clients = new Map<string, ClientState>();
  /** Linger-time ends: one timer per delay, not per transaction (see reaper.ts); drop checks the tx is still current. */
  private readonly reaper = new Reaper<ClientState>((tx) => this.drop(tx));

  constructor(
    private readonly transport: SipTransport,
    private readonly timers: TxTimers,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Sends a request in a new client transaction keyed by its top Via branch. */
  request(request: SipRequest, to: Destination, onResponse: (response: SipResponse) => void): void {
    const invite = request.method === 'INVITE';
    const tx: ClientState = {
      key: detached(clientKey(request)),
      request,
      raw: serialize(request),
      ack: undefined,
      to,
      invite,
      provisional: false,
      final: undefined,
      cancelWanted: false,
      cancelSent: false,
      onResponse,
      timers: [],
    };
    this.clients.set(tx.key, tx);
    const fail = () =>
      this.deliver(tx, makeResponse(request, 503, { reason: 'Service Unavailable (unreachable)' }));
    this.transport.send(to, tx.raw, fail);
    if (to.transport === 'udp') {
      retransmit(
        tx.timers,
        this.timers.t1,
        () => {
          if (tx.final || (invite && (tx.provisional || tx.cancelWanted))) return false;
          this.transport.send(to, tx.raw);
          return true;
        },
        invite ? Number.POSITIVE_INFINITY : this.timers.t2,
      );
    }
    this.timeout(tx);
  }

  /**
   * Ends an INVITE client transaction once its 2xx reached the core (RFC 3261 §17.1.1.2): later 2xx
   * retransmissions then find no transaction and are forwarded statelessly (receive.ts).
   */
  terminateInvite(branchKey: string): void {
    const tx = this.clients.get(`${branchKey}|INVITE`);
    if (tx?.final && tx.final.status >= 200 && tx.final.status < 300) this.drop(tx);
  }

  /** Cancels a pending INVITE; without a provisional yet, the CANCEL waits for one (§9.1). */
  cancel(branchKey: string): void {
    const tx = this.clients.get(`${branchKey}|INVITE`);
    if (!tx || tx.final || tx.cancelSent) return;
    tx.cancelWanted = true;
    if (tx.provisional) this.sendCancel(tx);
  }

  /** A received response; false when no client transaction matches. */
  receiveResponse(response: SipResponse): boolean {
    const tx = this.clients.get(clientKey(response));
    if (!tx) return false;
    if (tx.request.method === 'CANCEL' && response.status >= 200) {
      tx.final = response;
      this.drop(tx);
      return true;
    }
    this.deliver(tx, response);
    return true;
  }

  close(): void {
    this.reaper.clear();
    for (const tx of this.clients.values()) stopTimers(tx);
    this.clients.clear();
  }

  /** Timer B / F: no final in 64*T1 → a 408 to the core. */
  private timeout(tx: ClientState): void {
    later(tx.timers, 64 * this.timers.t1, () => {
      if (!tx.final) this.deliver(tx, makeResponse(tx.request, 408));
      this.drop(tx);
    });
  }

  private deliver(tx: ClientState, response: SipResponse): void {
    if (response.status < 200) {
      if (tx.final) return;
      if (tx.invite && !tx.provisional) {
        // Proceeding: Timer B no longer runs; the core's Timer C (final_ms) bounds the wait.
        stopTimers(tx);
      }
      tx.provisional = true;
      if (tx.cancelWanted && !tx.cancelSent) this.sendCancel(tx);
      tx.onResponse(response);
      return;
    }
    if (response.status < 300) {
      const first = tx.final === undefined;
      if (!first && !tx.invite) return; // a retransmitted final of a non-INVITE: absorbed (Timer K)
      tx.final = tx.final ?? response;
      if (first) {
        // Final: no more retransmissions nor Timer B/F. An INVITE lingers 64*T1 for 2xx
        // retransmissions (RFC 6026 Timer M), a non-INVITE T4 over UDP (Timer K).
        stopTimers(tx);
        this.reaper.add(tx.invite ? 64 * this.timers.t1 : this.completedLinger(tx), tx);
      }
      const onResponse = tx.onResponse;
      if (!tx.invite) this.release(tx);
      onResponse(response); // every 2xx of an INVITE goes to the core (§16.7 step 5)
      return;
    }
    if (tx.invite) {
      tx.ack ??= serialize(ackFor(tx.request, response));
      this.transport.send(tx.to, tx.ack);
    }
    if (tx.final) return; // a retransmitted final: re-ACKed, absorbed
    tx.final = response;
    const onResponse = tx.onResponse;
    stopTimers(tx);
    // Timer D (INVITE: 64*T1 here, at least 32 s) or Timer K (non-INVITE: T4); 0 on streams.
    this.reaper.add(
      tx.invite ? (tx.to.transport === 'udp' ? 64 * this.timers.t1 : 0) : this.completedLinger(tx),
      tx,
    );
    this.release(tx);
    onResponse(response);
  }

  /** Timer K: how long a completed non-INVITE client transaction absorbs retransmitted finals. */
  private completedLinger(tx: ClientState): number {
    return tx.to.transport === 'udp' ? this.timers.t4 : 0;
  }

  /**
   * A completed transaction lets go of the parsed request and final (slices of their datagrams):
   * the method and status, and for an INVITE the bytes of its ACK, answer retransmitted finals
   * while it lingers. A non-INVITE also drops its callback (it holds the whole request handling);
   * an INVITE keeps it, a late 2xx still goes to the core.
   */
  private release(tx: ClientState): void {
    if (!tx.invite) tx.onResponse = noop;
    tx.raw = '';
    tx.request = completedRequest(tx.request.method);
    if (tx.final) tx.final = acceptedResponse(tx.final.status);
  }

  private sendCancel(tx: ClientState): void {
    tx.cancelSent = true;
    this.request(cancelFor(tx.request), tx.to, () => {});
    this.timeout(tx); // a callee that never answers the CANCEL still ends the transaction
  }

  /**
   * Ends a client transaction. It may stay referenced until its linger time is over (the reaper
   * holds it), so it lets go of the request, the final and its owner's callback at once:
   * terminateInvite must free the call it belongs to.
   */
  private drop(tx: ClientState): void {
    stopTimers(tx);
    if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
    tx.onResponse = noop;
    this.release(tx);
  }
}
