import type { Dialog } from '../dialog/dialog';
import { decrementMaxForwards, maxForwards } from '../sip/max-forwards';
import type { SipResponse } from '../sip/message';
import { cseq, header, listValues, type SipRequest, withHeader } from '../sip/message';
import { makeResponse } from '../sip/response';
import { type Hop, type LocalAddress, nextHop, popOwnRoutes } from '../sip/route';
import { tagOf } from '../sip/uri';
import { withOwnVia } from './own-via';
import { trustedInDialog } from './trust';

export type InDialogResult =
  | { kind: 'reply'; response: SipResponse }
  | { kind: 'drop'; reason: string }
  | {
      kind: 'forward';
      request: SipRequest;
      /** Where to send: the other side's own connection for TCP/TLS, else the next hop. */
      hop: Hop;
      /** The next hop by Route / Request-URI, when the stream connection is gone. */
      fallback: Hop;
      toward: 'callee' | 'caller';
      /** Subtract from the CSeq of responses going back (our digest retry shifted it). */
      cseqOffset: number;
    };

/** Our own answer to a request we do not forward; an ACK is never answered. */
function reply(request: SipRequest, status: number): InDialogResult {
  return request.method === 'ACK'
    ? { kind: 'drop', reason: `ACK would get ${status}` }
    : { kind: 'reply', response: makeResponse(request, status) };
}

/**
 * Loose routing of a request inside a dialog we record-routed (ACK for 2xx,
 * BYE, re-INVITE, UPDATE, INFO, PRACK, NOTIFY, REFER; RFC 3261 §16.4–16.6):
 * our Route entries popped, forwarded to the next Route or the Request-URI.
 * A request for a dialog we do not know gets 481 (an ACK is dropped). Either way the relay's
 * trust rule applies as on the INVITE (trust.ts): no Proxy-Authorization goes on, and identity
 * headers only as the decision set them, toward the callee.
 *
 * @example
 * routeInDialog(bye, local, dialog, 'z9hG4bK...'); // { kind: 'forward', hop: {...}, ... }
 */
export function routeInDialog(
  request: SipRequest,
  local: LocalAddress,
  dialog: Dialog | undefined,
  branch: string,
): InDialogResult {
  if (maxForwards(request) === 0) return reply(request, 483);
  if (!dialog) return reply(request, 481);
  const routed = popOwnRoutes(local, request);
  if (
    listValues(request, 'route').length === listValues(routed, 'route').length &&
    routed.uri === request.uri
  ) {
    // Not addressed to us through the route set we recorded: never an open relay.
    return reply(request, 403);
  }
  const fromTag = tagOf(header(request, 'from'));
  const toward = fromTag === dialog.caller_tag && fromTag !== dialog.callee_tag ? 'callee' : 'caller';
  const { request: next, hop } = nextHop(routed);
  if (!hop) return reply(request, 416);
  let out = decrementMaxForwards(
    trustedInDialog(next, toward === 'callee' ? dialog.asserted_identity : undefined),
  );
  if (toward === 'callee' && dialog.cseq_offset !== 0) {
    const { seq, method } = cseq(out);
    out = withHeader(out, 'CSeq', `${seq + dialog.cseq_offset} ${method}`);
  }
  const flow = toward === 'callee' ? dialog.callee : dialog.caller;
  const destination =
    flow.transport === 'udp' ? hop : { transport: flow.transport, host: flow.address, port: flow.port };
  out = withOwnVia(out, local, destination.transport, branch);
  return {
    kind: 'forward',
    request: out,
    hop: destination,
    fallback: hop,
    toward,
    cseqOffset: toward === 'callee' ? dialog.cseq_offset : 0,
  };
}
