import { isOwnVia, popVia, vias, withTopVia } from '../proxy/own-via';
import type { IntakeResult } from '../sip/intake-outcome';
import { unsupportedRequire } from '../sip/intake-require';
import { maxForwards } from '../sip/max-forwards';
import {
  firstListValue,
  header,
  listValues,
  type SipRequest,
  type SipResponse,
  serialize,
} from '../sip/message';
import { randomHex } from '../sip/random-id';
import { makeResponse } from '../sip/response';
import { isOwnUri, popOwnRoutes } from '../sip/route';
import { parseUri, tagOf } from '../sip/uri';
import { formatVia, parseVia, responseAddress, stampReceived } from '../sip/via';
import { responseDestination } from '../transaction/build';
import type { Remote } from '../transport/sip-transport';
import type { createCallRunner } from './call-runner';
import type { RelayContext } from './context';
import type { createInDialogRunner } from './in-dialog-runner';

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, PRACK, NOTIFY, REFER';

/**
 * Everything the sockets receive: intake first (RFC 4475 validation), then
 * responses to client transactions, requests to server transactions, and new
 * requests to the call runner, the in-dialog runner or a local answer.
 */
export function createReceiver(
  ctx: RelayContext,
  intake: (raw: string, remote: Remote) => IntakeResult,
  calls: ReturnType<typeof createCallRunner>,
  inDialog: ReturnType<typeof createInDialogRunner>,
) {
  const { transactions, transport, log } = ctx;
  // To tags of our stateless 503s start with this, so their ACKs are dropped on sight (as
  // Kamailio's sl module recognises its own replies).
  const statelessTag = randomHex(4);

  function receive(raw: string, remote: Remote): void {
    const result = intake(raw, remote);
    if (result.kind === 'reply') {
      const to = { transport: remote.transport, host: remote.address, port: remote.port };
      transport.send(to, result.raw);
      // A Content-Length that is not a plain number leaves a stream without framing: start over.
      const length = /\r\n(?:content-length|l)[ \t]*:([^\r\n]*)/i.exec(raw.split('\r\n\r\n')[0] ?? '');
      if (remote.transport !== 'udp' && length && !/^[ \t]*\d+[ \t]*$/.test(length[1] ?? '')) {
        transport.closeConnection(to);
      }
      return;
    }
    if (result.kind === 'drop') {
      log.debug('dropped', { reason: result.reason, remote: `${remote.address}:${remote.port}` });
      return;
    }
    const message = result.message;
    if (message.type === 'response') onResponse(message);
    else onRequest(message, remote);
  }

  function onResponse(response: SipResponse): void {
    if (transactions.receiveResponse(response)) return;
    // A 2xx retransmission after its transaction ended is forwarded statelessly (§16.7 step 5, RFC 6026).
    const [ours, next] = vias(response);
    if (!ours || !next || response.status < 200 || response.status >= 300 || !isOwnVia(ctx.local, ours))
      return;
    const { address, port } = responseAddress(next);
    const protocol = next.transport.toLowerCase();
    const via = protocol === 'tcp' || protocol === 'tls' ? protocol : 'udp';
    transport.send({ transport: via, host: address, port }, serialize(popVia(response)));
  }

  function onRequest(received: SipRequest, remote: Remote): void {
    const top = parseVia(firstListValue(received, 'via') ?? '');
    const stamped = top ? stampReceived(top, remote) : undefined;
    // Most peers write their real address and no rport: the Via stays as received (no copy).
    const request = stamped && stamped !== top ? withTopVia(received, formatVia(stamped)) : received;
    const kind = transactions.receive(request, remote);
    if (kind === 'retransmission' || kind === 'ack-absorbed' || kind === 'cancel') return;
    const toTag = tagOf(header(request, 'to'));
    if (request.method === 'ACK' && toTag?.startsWith(statelessTag)) return;
    if (request.method === 'INVITE' && toTag === undefined) {
      const refused = ctx.refuseCalls();
      if (refused) {
        refuse(request, remote, refused);
        return;
      }
    }
    if (kind === 'cancel-unknown') {
      transactions.respond(transactions.createServer(request, remote), makeResponse(request, 481));
      return;
    }
    if (request.method === 'ACK') {
      void inDialog.handle(request, undefined);
      return;
    }
    const tx = transactions.createServer(request, remote);
    if (toTag !== undefined) {
      void inDialog.handle(request, tx);
      return;
    }
    if (request.method === 'INVITE') {
      calls.start(request, remote, tx);
      return;
    }
    const routed = popOwnRoutes(ctx.local, request);
    const ownTag = randomHex(6);
    if (
      request.method === 'OPTIONS' &&
      isOwnUri(ctx.local, parseUri(routed.uri)) &&
      listValues(routed, 'route').length === 0
    ) {
      // The relay is the final recipient here: 200 even at Max-Forwards 0 (RFC 3261 §16.3 step 3).
      const unsupported = unsupportedRequire(request);
      if (unsupported.length > 0) {
        const extra: [string, string][] = [['Unsupported', unsupported.join(', ')]];
        transactions.respond(tx, makeResponse(request, 420, { toTag: ownTag, extra }));
        return;
      }
      const extra: [string, string][] = [
        ['Allow', ALLOW],
        ['Accept', 'application/sdp'],
      ];
      transactions.respond(tx, makeResponse(request, 200, { toTag: ownTag, extra }));
      return;
    }
    // Not for us and out of hops: 483 before anything else (RFC 3261 §16.3 step 3, RFC 4475 zeromf).
    if (maxForwards(request) === 0) {
      transactions.respond(tx, makeResponse(request, 483, { toTag: ownTag }));
      return;
    }
    // Out-of-dialog requests other than INVITE are not relayed (no registrar, no presence).
    transactions.respond(tx, makeResponse(request, 405, { toTag: ownTag, extra: [['Allow', ALLOW]] }));
  }

  /**
   * A new INVITE while the relay drains or is overloaded: 503 + Retry-After without a
   * transaction (RFC 3261 §16.2 lets a proxy answer statelessly), so refusing costs a fraction
   * of carrying; a retransmitted INVITE simply gets the 503 again.
   */
  function refuse(
    request: SipRequest,
    remote: Remote,
    refused: 'draining' | 'overload' | 'cdr_spool_full',
  ): void {
    const now = ctx.now();
    const response = makeResponse(request, 503, {
      toTag: `${statelessTag}${randomHex(4)}`,
      extra: [['Retry-After', String(ctx.config.retryAfterS)]],
    });
    transport.send(responseDestination(response, remote), serialize(response));
    const callId = header(request, 'call-id') ?? '';
    ctx.events.emit('call', {
      call_id: callId,
      source: remote,
      status: 503,
      received_at: now,
      ringing_at: null,
      answered_at: null,
      ended_at: now,
      attempts: [],
      refused,
    });
  }

  return { receive };
}
