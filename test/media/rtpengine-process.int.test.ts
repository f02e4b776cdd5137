import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createNgClient } from '../../edge-relay/media/ng-client';
import { startLocalMedia } from '../../local/local-media';
import { startRtpengine } from '../../local/rtpengine-process';

/** The uid a process runs as (rtpengine must not need root). */
const uidOf = (pid: number) =>
  Number(
    execFileSync('ps', ['-o', 'uid=', '-p', String(pid)])
      .toString()
      .trim(),
  );

describe('startRtpengine', () => {
  it('starts userspace-only as the current user and as an unprivileged one, answering ng ping', async () => {
    const asRoot = process.getuid?.() === 0;
    // As root, also prove the same command line works for an ordinary user ("nobody").
    const users = asRoot ? [undefined, { uid: 65534, gid: 65534 }] : [undefined];
    const ng = await createNgClient({ timeoutMs: 500 });
    try {
      for (const user of users) {
        const rtpengine = await startRtpengine({ threads: 1, ...(user && { user }) });
        try {
          expect(uidOf(rtpengine.pid)).toBe(user?.uid ?? process.getuid?.());
          expect(await ng.send(rtpengine.address, 'ping')).toMatchObject({ result: 'pong' });
        } finally {
          await rtpengine.stop();
        }
        await expect(ng.send(rtpengine.address, 'ping')).rejects.toThrow(/unreachable/);
      }
    } finally {
      ng.close();
    }
  });

  it('starts for the local stack when installed, giving the TANDEM_RTPENGINE value', async () => {
    const lines: string[] = [];
    const media = await startLocalMedia({ log: (l) => lines.push(l), threads: 1 });
    const ng = await createNgClient({ timeoutMs: 500 });
    try {
      expect(media.rtpengine).toMatch(/^127\.0\.0\.1:\d+$/);
      const [host, port] = media.rtpengine!.split(':');
      expect(await ng.send({ host: host!, port: Number(port) }, 'ping')).toMatchObject({ result: 'pong' });
      expect(lines[0]).toMatch(/rtpengine on ng/);
    } finally {
      ng.close();
      await media.stop();
    }
  });
});
