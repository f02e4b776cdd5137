import { describe, expect, it } from 'vitest';
import { withHeader } from '../sip/message';
import { invite, responseTo } from '../sip/test-messages';
import { ackFor, cancelFor } from './build';

describe('requests the relay builds for an INVITE it sent', () => {
  // An attempt INVITE after a carrier challenge carries the relay's own credentials.
  const sent = withHeader(invite(), 'Proxy-Authorization', 'Digest username="carrier-user", response="r"');

  it('are new requests (RFC 3261 §9.1, §17.1.1.3): no credentials, no identity, no body', () => {
    for (const request of [cancelFor(sent), ackFor(sent, responseTo(sent, 486, { toTag: 'x' }))]) {
      expect(request.headers.map((h) => h.key)).toEqual([
        'via',
        'max-forwards',
        'from',
        'to',
        'call-id',
        'cseq',
      ]);
      expect(request.body).toBe('');
    }
  });
});
