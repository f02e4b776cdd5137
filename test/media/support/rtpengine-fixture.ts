import { createSocket } from 'node:dgram';
import { expect } from 'vitest';
import { createNgClient, type NgClient } from '../../../edge-relay/media/ng-client';
import type { RtpengineAddress } from '../../../edge-relay/settings/media-settings';
import { type RtpengineProcess, startRtpengine } from '../../../local/rtpengine-process';

export type RtpengineFixture = {
  readonly instances: RtpengineProcess[];
  /** rtpengine's own `list` of live call-ids on one instance. */
  calls(instance: RtpengineAddress): Promise<string[]>;
  /** Fails when any instance still holds a call (no session may leak), then clears them. */
  expectNoCalls(): Promise<void>;
  stop(): Promise<void>;
};

/** Starts `count` real rtpengines (loopback, one thread each) for one test file. */
export async function startRtpengines(count = 1): Promise<RtpengineFixture> {
  const instances = await Promise.all(Array.from({ length: count }, () => startRtpengine({ threads: 1 })));
  const ng: NgClient = await createNgClient({ timeoutMs: 1_000 });
  const calls = async (instance: RtpengineAddress) => {
    const reply = await ng.send(instance, 'list', { limit: 1000 });
    return (reply['calls'] as string[] | undefined) ?? [];
  };
  return {
    instances,
    calls,
    async expectNoCalls() {
      const leaked: string[] = [];
      for (const { address } of instances) {
        const left = await calls(address);
        leaked.push(...left);
        // Clear them so one failing test does not fail every later one too.
        for (const callId of left) await ng.send(address, 'delete', { 'call-id': callId });
      }
      expect(leaked, 'calls left in rtpengine').toEqual([]);
    },
    async stop() {
      ng.close();
      await Promise.all(instances.map((i) => i.stop()));
    },
  };
}

/** An ng address where nothing listens: commands to it time out. */
export async function unreachableAddress(): Promise<RtpengineAddress> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return { host: '127.0.0.1', port };
}
