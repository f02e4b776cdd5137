import { describe, expect, it } from 'vitest';
import { startLocalMedia } from './local-media';

describe('startLocalMedia', () => {
  it('runs without anchoring, and says so, when rtpengine is not installed', async () => {
    const lines: string[] = [];
    const media = await startLocalMedia({ log: (l) => lines.push(l), binary: '/nonexistent/rtpengine' });
    expect(media.rtpengine).toBeNull();
    expect(lines).toEqual([expect.stringMatching(/not installed.*not anchored/)]);
    await media.stop();
  });
});
