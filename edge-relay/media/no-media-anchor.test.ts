import { describe, expect, it } from 'vitest';
import { createMediaAnchor } from './create-media-anchor';
import { noMediaAnchor } from './no-media-anchor';

describe('noMediaAnchor', () => {
  it('passes SDP unchanged and is chosen when no rtpengine is configured', async () => {
    const anchor = await createMediaAnchor({ rtpengines: [], failurePolicy: 'reject' });
    expect(anchor).toBe(noMediaAnchor);
    const request = { callId: 'c', fromTag: 'a', toTag: 'b', viaBranch: 'z9hG4bK1', sdp: 'v=0\r\n' };
    expect(await anchor.offer(request)).toEqual({ sdp: 'v=0\r\n', anchored: false, instance: null });
    expect(await anchor.answer(request)).toEqual({ sdp: 'v=0\r\n', anchored: false, instance: null });
    await anchor.delete({ callId: 'c' });
    expect(await anchor.query('c')).toBeNull();
  });
});
