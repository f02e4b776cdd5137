import { detached } from '../sip/detached';
import { type SipRequest, type SipResponse, serialize } from '../sip/message';
import { makeResponse } from '../sip/response';
import type { Destination, Remote, SipTransport } from '../transport/sip-transport';
import { ackFor, cancelFor, clientKey, responseDestination, serverKey } from './build';
import { Reaper } from './reaper';

/** RFC 3261 timer bases (T1, T2, T4), shortened in tests. */
export type TxTimers = { t1: number; t2: number; t4: number };

export type ServerTransaction = {
  readonly key: string;
  readonly request: SipRequest;
  readonly source: Remote;
  last: SipResponse | undefined;
  onCancel: (() => void) | undefined;
};

type ServerState = ServerTransaction & {
  raw: string | undefined;
  /** Where `raw` goes again (computed once from the response's Via). */
  dest: Destination | undefined;
  done: boolean;
  timers: NodeJS.Timeout[];
};

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

/**
 * What a server transaction keeps of its request once it sent its final response: the method
 * only, one shared frozen object per method. It then only absorbs retransmissions and lets the
 * ACK and a late CANCEL match (an accepted INVITE: RFC 6026); the request, the response and its
 * bytes are dropped (they were most of the memory of an established call).
 */
const completedRequests = new Map<string, SipRequest>();
function completedRequest(method: string): SipRequest {
  let request = completedRequests.get(method);
  if (!request) {
    request = Object.freeze({
      type: 'request',
      method,
      uri: '',
      headers: Object.freeze([]),
      body: '',
    }) as SipRequest;
    if (completedRequests.size < 64) completedRequests.set(method, request);
  }
  return request;
}
const acceptedResponses = new Map<number, SipResponse>();
function acceptedResponse(status: number): SipResponse {
  let response = acceptedResponses.get(status);
  if (!response) {
    response = Object.freeze({ type: 'response', status, reason: '', headers: Object.freeze([]), body: '' });
    acceptedResponses.set(status, response);
  }
  return response;
}

const noop = () => {};

/**
 * RFC 3261 §17 for a stateful proxy: server transactions absorb request
 * retransmissions (answering with the last response) and retransmit final
 * non-2xx responses over UDP until the ACK; client transactions retransmit
 * over UDP, time out into a 408, ACK non-2xx finals hop by hop and CANCEL.
 */
export class Transactions {
  private readonly servers = new Map<string, ServerState>();
  private readonly clients = new Map<string, ClientState>();
  /** Linger-time ends: one timer per delay, not per transaction (see reaper.ts); drop* check the tx is still current. */
  private readonly serverReaper = new Reaper<ServerState>((tx) => this.dropServer(tx));
  private readonly clientReaper = new Reaper<ClientState>((tx) => this.dropClient(tx));

  constructor(
    private readonly transport: SipTransport,
    private readonly timers: TxTimers,
  ) {}

  get size(): { servers: number; clients: number } {
    return { servers: this.servers.size, clients: this.clients.size };
  }

  /**
   * A received request: `retransmission` (answered with the last response),
   * `ack-absorbed` (ACK of our non-2xx final), `cancel` (matched an INVITE:
   * answered 200 and its owner told), `cancel-unknown`, or `new`.
   */
  receive(
    request: SipRequest,
    source: Remote,
  ): 'retransmission' | 'ack-absorbed' | 'cancel' | 'cancel-unknown' | 'new' {
    if (request.method === 'CANCEL') {
      const own = this.servers.get(serverKey(request));
      if (own) {
        this.resend(own);
        return 'retransmission';
      }
      const invite = this.servers.get(serverKey(request, 'INVITE'));
      if (!invite) return 'cancel-unknown';
      this.respond(this.createServer(request, source), makeResponse(request, 200));
      if (!invite.last || invite.last.status < 200) invite.onCancel?.();
      return 'cancel';
    }
    const tx = this.servers.get(serverKey(request));
    if (!tx) return 'new';
    if (request.method === 'ACK') {
      if (tx.last && tx.last.status >= 300) {
        this.stopTimers(tx);
        this.serverReaper.add(this.source(tx) ? this.timers.t4 : 0, tx);
        return 'ack-absorbed';
      }
      return 'new'; // an ACK for a 2xx with the INVITE's branch: route it end to end
    }
    this.resend(tx);
    return 'retransmission';
  }

  createServer(request: SipRequest, source: Remote): ServerTransaction {
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
        this.retransmit(tx.timers, this.timers.t1, () => {
          this.sendRaw(tx);
          return true;
        });
      this.serverReaper.add(lifetime, tx);
    } else {
      this.serverReaper.add(udp || invite ? lifetime : 0, tx);
    }
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
      this.retransmit(
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
    if (tx?.final && tx.final.status >= 200 && tx.final.status < 300) this.dropClient(tx);
  }

  /** The 2xx of an INVITE was sent: keep a small tombstone for 64*T1 (RFC 6026), drop the rest. */
  private accept(tx: ServerState, status: number, lifetime: number): void {
    this.stopTimers(tx);
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
    this.serverReaper.add(lifetime, tombstone);
  }

  /** Timer B / F: no final in 64*T1 → a 408 to the core. */
  private timeout(tx: ClientState): void {
    this.later(tx.timers, 64 * this.timers.t1, () => {
      if (!tx.final) this.deliver(tx, makeResponse(tx.request, 408));
      this.dropClient(tx);
    });
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
      this.dropClient(tx);
      return true;
    }
    this.deliver(tx, response);
    return true;
  }

  close(): void {
    this.serverReaper.clear();
    this.clientReaper.clear();
    for (const tx of this.servers.values()) this.stopTimers(tx);
    for (const tx of this.clients.values()) this.stopTimers(tx);
    this.servers.clear();
    this.clients.clear();
  }

  private deliver(tx: ClientState, response: SipResponse): void {
    if (response.status < 200) {
      if (tx.final) return;
      if (tx.invite && !tx.provisional) {
        // Proceeding: Timer B no longer runs; the core's Timer C (final_ms) bounds the wait.
        this.stopTimers(tx);
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
        this.stopTimers(tx);
        this.clientReaper.add(tx.invite ? 64 * this.timers.t1 : this.completedLinger(tx), tx);
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
    this.stopTimers(tx);
    // Timer D (INVITE: 64*T1 here, at least 32 s) or Timer K (non-INVITE: T4); 0 on streams.
    this.clientReaper.add(
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

  private resend(tx: ServerState): void {
    if (tx.raw) this.sendRaw(tx);
  }

  private sendRaw(tx: ServerState): void {
    if (tx.raw && tx.dest) this.transport.send(tx.dest, tx.raw);
  }

  private source(tx: ServerState): boolean {
    return tx.source.transport === 'udp';
  }

  /** Stops a transaction's retransmission and timeout timers. */
  private stopTimers(tx: ServerState | ClientState): void {
    for (const t of tx.timers) clearTimeout(t);
    tx.timers = [];
  }

  private dropServer(tx: ServerState): void {
    this.stopTimers(tx);
    if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
  }

  /**
   * Ends a client transaction. It may stay referenced until its linger time is over (the reaper
   * holds it), so it lets go of the request, the final and its owner's callback at once:
   * terminateInvite must free the call it belongs to.
   */
  private dropClient(tx: ClientState): void {
    this.stopTimers(tx);
    if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
    tx.onResponse = noop;
    this.release(tx);
  }

  private later(bucket: NodeJS.Timeout[], ms: number, run: () => void): void {
    bucket.push(setTimeout(run, ms));
  }

  /** Timer A/E/G: T1, doubling, capped at `cap` (T2 for non-INVITE and responses); stops when `run` says so. */
  private retransmit(
    bucket: NodeJS.Timeout[],
    first: number,
    run: () => boolean,
    cap = this.timers.t2,
  ): void {
    const step = (interval: number) => {
      const timer = setTimeout(() => {
        const index = bucket.indexOf(timer);
        if (index >= 0) bucket.splice(index, 1);
        if (run()) step(Math.min(interval * 2, cap));
      }, interval);
      bucket.push(timer);
    };
    step(first);
  }
}
