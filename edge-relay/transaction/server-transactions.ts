import { detached } from '../sip/detached';
import { type SipRequest, type SipResponse, serialize } from '../sip/message';
import { makeResponse } from '../sip/response';
import type { Destination, Remote, SipTransport } from '../transport/sip-transport';
import { responseDestination, serverKey } from './build';
import { acceptedResponse, completedRequest } from './completed-messages';
import { Reaper } from './reaper';
import { retransmit, stopTimers, type TxTimers } from './timers';

export type ServerTransaction = {
  readonly key: string;
  readonly request: SipRequest;
  readonly source: Remote;
  last: SipResponse | undefined;
  onCancel: (() => void) | undefined;
};

/** What a received request is to the server transactions (see ServerTransactions.receive). */
export type RequestMatch = 'retransmission' | 'ack-absorbed' | 'cancel' | 'cancel-unknown' | 'new';

type ServerState = ServerTransaction & {
  raw: string | undefined;
  /** Where `raw` goes again (computed once from the response's Via). */
  dest: Destination | undefined;
  done: boolean;
  timers: NodeJS.Timeout[];
};

/**
 * RFC 3261 §17.2 for a stateful proxy: server transactions absorb request retransmissions
 * (answering with the last response) and retransmit final non-2xx responses over UDP until the ACK.
 */
export class ServerTransactions {
  private readonly servers = new Map<string, ServerState>();
  /** Linger-time ends: one timer per delay, not per transaction (see reaper.ts); drop checks the tx is still current. */
  private readonly reaper = new Reaper<ServerState>((tx) => this.drop(tx));

  constructor(
    private readonly transport: SipTransport,
    private readonly timers: TxTimers,
  ) {}

  get size(): number {
    return this.servers.size;
  }

  /**
   * A received request: `retransmission` (answered with the last response),
   * `ack-absorbed` (ACK of our non-2xx final), `cancel` (matched an INVITE:
   * answered 200 and its owner told), `cancel-unknown`, or `new`.
   */
  receive(request: SipRequest, source: Remote): RequestMatch {
    if (request.method === 'CANCEL') {
      const own = this.servers.get(serverKey(request));
      if (own) {
        this.resend(own);
        return 'retransmission';
      }
      const invite = this.servers.get(serverKey(request, 'INVITE'));
      if (!invite) return 'cancel-unknown';
      this.respond(this.create(request, source), makeResponse(request, 200));
      if (!invite.last || invite.last.status < 200) invite.onCancel?.();
      return 'cancel';
    }
    const tx = this.servers.get(serverKey(request));
    if (!tx) return 'new';
    if (request.method === 'ACK') {
      if (tx.last && tx.last.status >= 300) {
        stopTimers(tx);
        this.reaper.add(this.overUdp(tx) ? this.timers.t4 : 0, tx);
        return 'ack-absorbed';
      }
      return 'new'; // an ACK for a 2xx with the INVITE's branch: route it end to end
    }
    this.resend(tx);
    return 'retransmission';
  }

  create(request: SipRequest, source: Remote): ServerTransaction {
    const tx: ServerState = {
      key: detached(serverKey(request)),
      request,
      source,
      last: undefined,
      onCancel: undefined,
      raw: undefined,
      dest: undefined,
      done: false,
      timers: [],
    };
    this.servers.set(tx.key, tx);
    return tx;
  }

  /** Sends a response through its server transaction (and keeps it for retransmissions). */
  respond(handle: ServerTransaction, response: SipResponse): void {
    const tx = this.servers.get(handle.key) ?? (handle as ServerState);
    const raw = serialize(response);
    const dest = responseDestination(response, tx.source);
    this.transport.send(dest, raw);
    if (tx.done && response.status >= 200 && response.status < 300) return; // a 2xx retransmission passing through
    if (tx.done) return;
    const invite = tx.request.method === 'INVITE';
    const lifetime = 64 * this.timers.t1;
    if (invite && response.status >= 200 && response.status < 300) {
      this.accept(tx, response.status, lifetime);
      return;
    }
    tx.last = response;
    tx.raw = raw;
    tx.dest = dest;
    if (response.status < 200) return;
    tx.done = true;
    // Completed: for the rest of its life (Timer G/H/J) it only resends `raw`, absorbs the ACK and
    // matches a CANCEL. The parsed request and response (slices of their datagrams) are let go.
    tx.last = acceptedResponse(response.status);
    (tx as { request: SipRequest }).request = completedRequest(tx.request.method);
    tx.onCancel = undefined;
    const udp = tx.source.transport === 'udp';
    if (invite && response.status >= 300) {
      if (udp)
        retransmit(
          tx.timers,
          this.timers.t1,
          () => {
            this.sendRaw(tx);
            return true;
          },
          this.timers.t2,
        );
      this.reaper.add(lifetime, tx);
    } else {
      this.reaper.add(udp || invite ? lifetime : 0, tx);
    }
  }

  close(): void {
    this.reaper.clear();
    for (const tx of this.servers.values()) stopTimers(tx);
    this.servers.clear();
  }

  /** The 2xx of an INVITE was sent: keep a small tombstone for 64*T1 (RFC 6026), drop the rest. */
  private accept(tx: ServerState, status: number, lifetime: number): void {
    stopTimers(tx);
    const tombstone: ServerState = {
      key: tx.key,
      request: completedRequest('INVITE'),
      source: tx.source,
      last: acceptedResponse(status),
      onCancel: undefined,
      raw: undefined,
      dest: undefined,
      done: true,
      timers: [],
    };
    // The caller's handle (call runner, in-dialog runner) sees the same outcome.
    tx.last = tombstone.last;
    tx.done = true;
    tx.onCancel = undefined;
    this.servers.set(tx.key, tombstone);
    this.reaper.add(lifetime, tombstone);
  }

  private resend(tx: ServerState): void {
    if (tx.raw) this.sendRaw(tx);
  }

  private sendRaw(tx: ServerState): void {
    if (tx.raw && tx.dest) this.transport.send(tx.dest, tx.raw);
  }

  private overUdp(tx: ServerState): boolean {
    return tx.source.transport === 'udp';
  }

  private drop(tx: ServerState): void {
    stopTimers(tx);
    if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
  }
}
