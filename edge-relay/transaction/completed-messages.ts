import type { SipRequest, SipResponse } from '../sip/message';

/**
 * What a transaction keeps of its request once it completed: the method only, one shared frozen
 * object per method. A server transaction then only absorbs retransmissions and lets the ACK and a
 * late CANCEL match (an accepted INVITE: RFC 6026); the request, the response and its bytes are
 * dropped (they were most of the memory of an established call).
 */
const completedRequests = new Map<string, SipRequest>();
export function completedRequest(method: string): SipRequest {
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

/** What a completed transaction keeps of its final response: the status only, one shared frozen object per status. */
const acceptedResponses = new Map<number, SipResponse>();
export function acceptedResponse(status: number): SipResponse {
  let response = acceptedResponses.get(status);
  if (!response) {
    response = Object.freeze({ type: 'response', status, reason: '', headers: Object.freeze([]), body: '' });
    acceptedResponses.set(status, response);
  }
  return response;
}
