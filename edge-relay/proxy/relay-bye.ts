import type { Dialog, DialogFlow } from '../dialog/dialog';
import type { SipRequest } from '../sip/message';
import type { Hop, LocalAddress } from '../sip/route';
import { sipHost } from '../sip/uri';
import { ownVia } from './own-via';

/**
 * CSeq of a BYE the relay sends itself. It does not follow each side's CSeq (a proxy needs none),
 * and a UA refuses a request whose CSeq is not above the last it received in the dialog (RFC 3261
 * §12.2.2), so it takes the largest number allowed: CSeq must stay below 2^31 (§8.1.1.5).
 */
export const RELAY_BYE_CSEQ = 2 ** 31 - 1;

/** A side's address as a SIP URI (`;transport=` on streams). */
function flowUri(flow: DialogFlow): string {
  const transport = flow.transport === 'udp' ? '' : `;transport=${flow.transport}`;
  return `sip:${sipHost(flow.address)}:${flow.port}${transport}`;
}

const withTag = (uri: string, tag: string | undefined) => `<${uri}>${tag === undefined ? '' : `;tag=${tag}`}`;

/**
 * The BYE the relay sends on its own to one side of an answered call (the dialog outlived its
 * lifetime), speaking for the other side: From carries the other side's tag, To this side's, so
 * the UA matches its dialog by Call-ID and tags (RFC 3261 §12.2.2; the URIs around the tags play
 * no part in matching). The dialog keeps no Contact or route set, only the flow each side used:
 * the BYE goes to that flow, with the flow as Request-URI, under the relay's own Via (a client
 * transaction retransmits it and times out as any other).
 *
 * @example
 * relayBye(dialog, 'callee', local, 'z9hG4bK0000000000.1a2b3c4d5e6f7a8b');
 * // { request: BYE sip:203.0.113.1:5060 …, hop: { transport: 'udp', host: '203.0.113.1', port: 5060 } }
 */
export function relayBye(
  dialog: Dialog,
  toward: 'caller' | 'callee',
  local: LocalAddress,
  branch: string,
): { request: SipRequest; hop: Hop } {
  const to = toward === 'callee' ? dialog.callee : dialog.caller;
  const from = toward === 'callee' ? dialog.caller : dialog.callee;
  const toTag = toward === 'callee' ? dialog.callee_tag : dialog.caller_tag;
  const fromTag = toward === 'callee' ? dialog.caller_tag : dialog.callee_tag;
  const lines: [string, string][] = [
    ['Via', ownVia(local, to.transport, branch)],
    ['Max-Forwards', '70'],
    ['From', withTag(flowUri(from), fromTag)],
    ['To', withTag(flowUri(to), toTag)],
    ['Call-ID', dialog.call_id],
    ['CSeq', `${RELAY_BYE_CSEQ} BYE`],
    ['Content-Length', '0'],
  ];
  return {
    request: {
      type: 'request',
      method: 'BYE',
      uri: flowUri(to),
      headers: lines.map(([name, value]) => ({ key: name.toLowerCase(), name, value })),
      body: '',
    },
    hop: { transport: to.transport, host: to.address, port: to.port },
  };
}
