import { cseq, type SipResponse, withHeader } from '../sip/message';
import { popVia } from './own-via';

/**
 * A response as the caller must see it: our Via off, its CSeq back to the caller's number
 * when our digest retry shifted it by `cseqOffset`.
 */
export function upstreamResponse(response: SipResponse, cseqOffset: number): SipResponse {
  const popped = popVia(response);
  if (cseqOffset === 0) return popped;
  const { seq, method } = cseq(popped);
  return withHeader(popped, 'CSeq', `${seq - cseqOffset} ${method}`);
}
