import type { MediaAnchor } from './media-anchor';

/**
 * The anchor used when no rtpengine is configured: SDP passes unchanged and
 * media flows end to end.
 *
 * @example
 * const { sdp, anchored } = await noMediaAnchor.offer(request); // anchored === false
 */
export const noMediaAnchor: MediaAnchor = {
  offer: async ({ sdp }) => ({ sdp, anchored: false, instance: null }),
  answer: async ({ sdp }) => ({ sdp, anchored: false, instance: null }),
  delete: async () => {},
  query: async () => null,
  close: async () => {},
};
